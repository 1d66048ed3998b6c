// The leader's dashboard: ECharts from the JSON the page carries (no request of its own).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var font = { fontFamily: "PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif" };
  var colours = ["#1d4f91", "#2f9e44", "#f0b400", "#d6336c", "#7048e8", "#1098ad", "#e8590c", "#5c7cfa", "#868e96", "#94d82d", "#f783ac", "#3bc9db"];
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: "canvas" });
    option.textStyle = font; option.color = colours; option.animation = false;
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function bars(items, horizontal) {
    var names = items.map(function (r) { return r.name; });
    var values = items.map(function (r) { return r.value; });
    var cat = { type: "category", data: names, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var val = { type: "value", minInterval: 1 };
    return {
      grid: { left: horizontal ? 150 : 40, right: 20, top: 20, bottom: horizontal ? 20 : 60 },
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? Object.assign(cat, { inverse: true, axisLabel: { interval: 0 } }) : val,
      series: [{ type: "bar", data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }
  chart("chart-trend", {
    grid: { left: 40, right: 20, top: 20, bottom: 30 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.trend.days },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "line", data: data.trend.values, smooth: true, areaStyle: { opacity: 0.15 } }]
  });
  chart("chart-channel", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data.channel, label: { formatter: "{b}\n{c}" } }]
  });
  chart("chart-domain", bars(data.domain, false));
  chart("chart-type", bars(data.type, false));
  chart("chart-area", bars(data.area, false));
  chart("chart-units", bars(data.units, true));
})();
