/* Charts of the analytics pages, drawn with the locally served ECharts. */
(function () {
  "use strict";
  const charts = [];
  function chart(id, option, dark) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    let c = echarts.getInstanceByDom(el) || echarts.init(el, dark ? "dark" : null);
    // tooltips drawn on the canvas: the HTML ones carry style="" attributes, which the
    // Content-Security-Policy refuses
    if (option.tooltip) option.tooltip.renderMode = "richText";
    c.setOption(option, true);
    if (!charts.includes(c)) charts.push(c);
    return c;
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  const names = (rows) => rows.map((r) => r.name);
  const values = (rows) => rows.map((r) => r.value);
  function bar(id, title, rows, dark, horizontal) {
    const cat = { type: "category", data: names(rows), axisLabel: { interval: rows.length > 14 ? "auto" : 0, rotate: horizontal || rows.length > 14 ? 0 : 30 } };
    const val = { type: "value" };
    return chart(id, {
      backgroundColor: "transparent",
      title: { text: title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: horizontal ? 110 : 50, right: 20, bottom: 60, top: 40 },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? Object.assign(cat, { inverse: true, axisLabel: { interval: 0 } }) : val,
      series: [{ type: "bar", data: values(rows), itemStyle: { color: "#3b82c4" } }],
    }, dark);
  }
  function pie(id, title, rows, dark) {
    return chart(id, {
      backgroundColor: "transparent",
      title: { text: title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{ type: "pie", radius: ["35%", "65%"], data: rows, label: { formatter: "{b}\n{d}%" } }],
    }, dark);
  }
  function trend(id, data, dark) {
    const days = data.trend.map((d) => d.day.slice(5));
    return chart(id, {
      backgroundColor: "transparent",
      title: { text: "每日来件量", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, bottom: 40, top: 40 },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value" },
      series: [{ type: "line", smooth: true, areaStyle: {}, data: data.trend.map((d) => d.registered) }],
    }, dark);
  }
  function rates(id, data, dark) {
    const days = data.trend.map((d) => d.day.slice(5));
    const codes = Object.keys(data.rate_labels);
    return chart(id, {
      backgroundColor: "transparent",
      title: { text: "按时率与满意率趋势（%）", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 50, right: 20, bottom: 60, top: 40 },
      xAxis: { type: "category", data: days },
      yAxis: { type: "value", min: 0, max: 100 },
      series: codes.map((c) => ({ name: data.rate_labels[c], type: "line", connectNulls: true, data: data.trend.map((d) => d[c]) })),
    }, dark);
  }
  window.HotlineCharts = {
    dashboard(data, dark) {
      trend("c-trend", data, dark);
      rates("c-rates", data, dark);
      pie("c-channel", "诉求来源", data.by.channel, dark);
      bar("c-appeal_type", "诉求类型", data.by.appeal_type, dark);
      bar("c-domain", "归口分类", data.by.domain, dark, true);
      bar("c-area", "所属区域", data.by.area, dark, true);
      bar("c-hour", "来件时段", data.by.hour, dark);
    },
    pie, bar, trend, rates,
  };
  // 数据看板 draws itself from the JSON its page carries
  const data = document.getElementById("dashboard-data");
  if (data) window.HotlineCharts.dashboard(JSON.parse(data.textContent));
})();
