// The dashboard's screening chart: screenings (bars) and refusals (lines) per county and day.
// The figures come from the page (json_script); nothing is fetched or invented here.
(function () {
  "use strict";
  var holder = document.getElementById("screening-chart");
  var source = document.getElementById("screening-chart-data");
  if (!holder || !source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var screened = holder.dataset.labelScreenings;
  var refused = holder.dataset.labelRefused;
  var series = [];
  data.counties.forEach(function (county) {
    series.push({ name: county.name + " " + screened, type: "bar", stack: "screenings", data: county.screenings });
    series.push({ name: county.name + " " + refused, type: "line", data: county.refused });
  });
  var chart = echarts.init(holder);
  chart.setOption({
    // Drawn on the canvas: the HTML tooltip writes style attributes, which the page's Content
    // Security Policy refuses (no inline style).
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.days.map(function (day) { return day.slice(5); }) },
    yAxis: { type: "value", minInterval: 1 },
    series: series,
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
