// 集中诉求: a small bar chart of each group's weekly counts.
(function () {
  "use strict";
  document.querySelectorAll(".spark").forEach((el) => {
    const trend = JSON.parse(el.dataset.trend || "[]");
    if (!window.echarts || !trend.length) return;
    echarts.init(el).setOption({
      grid: { left: 2, right: 2, top: 4, bottom: 14 },
      xAxis: { type: "category", data: trend.map((p) => p.start.slice(5)), axisLabel: { fontSize: 9 } },
      yAxis: { type: "value", show: false },
      tooltip: { trigger: "axis", renderMode: "richText" },
      series: [{ type: "bar", data: trend.map((p) => p.count), itemStyle: { color: "#d9822b" } }],
    });
  });
})();
