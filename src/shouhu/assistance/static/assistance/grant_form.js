// The grant form: a field marked `data-shown-when-reason="<value>"` is shown only while the
// reason chosen is that value (the page works without it: the field is then always shown).
(function () {
  "use strict";
  function sync() {
    var reason = document.querySelector("select[name=reason]");
    if (!reason) {
      return;
    }
    document.querySelectorAll("[data-shown-when-reason]").forEach(function (block) {
      block.hidden = reason.value !== block.dataset.shownWhenReason;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target instanceof HTMLSelectElement && event.target.name === "reason") {
      sync();
    }
  });
  document.addEventListener("DOMContentLoaded", sync);
})();
