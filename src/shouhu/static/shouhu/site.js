// Small behaviours of the pages, kept out of the HTML: the Content Security Policy allows no
// inline script or event handler. Listeners sit on the document, so content that htmx swaps
// in later behaves the same.
//   <form data-confirm="…">           asks before submitting
//   <button data-confirm="…">         asks before its click submits the form
//   <button data-print>                prints the page
//   <select data-autosubmit>           submits its form when changed
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-confirm], [data-print]") : null;
    if (!target || target instanceof HTMLFormElement) {
      return;
    }
    if (target.hasAttribute("data-print")) {
      window.print();
    } else if (!window.confirm(target.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit();
    }
  });
})();
