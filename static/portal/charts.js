/* Charts on the complaint figures: each element with data-chart draws the JSON of the
   element named by data-source (a json_script block) with Apache ECharts. The same figures
   are in the table beside each chart, for screen readers and for copying; without JavaScript
   the tables alone are shown. No tooltip: it would need inline styles the CSP refuses. */
(function () {
  "use strict";
  var COLOURS = ["#a8191c", "#4a6fa5", "#6b8e23"];
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    el.classList.add("chart-drawn");
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption({
      animation: false,
      color: COLOURS,
      tooltip: {show: false},
      grid: {left: 44, right: 12, top: 28, bottom: data.series.length > 1 ? 44 : 28, containLabel: true},
      legend: {show: data.series.length > 1, bottom: 0},
      xAxis: {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: data.labels.length > 8 || el.clientWidth < 600 ? 40 : 0}},
      yAxis: {type: "value", minInterval: 1},
      series: data.series.map(function (s) {
        return {name: s.name, type: data.kind || "bar", data: s.values};
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var charts = document.querySelectorAll("[data-chart]");
  for (var i = 0; i < charts.length; i++) { draw(charts[i]); }
})();
