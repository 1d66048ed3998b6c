// 大屏: draws the charts from the JSON the page carries, then asks /api/v1/analytics/wall
// again every minute (a failed poll keeps the last picture); 全屏 fills the screen.
(function () {
  "use strict";
  const REFRESH_MS = 60000;
  const wall = document.querySelector("[data-wall-url]");
  const set = (id, v) => { const el = document.getElementById(id); if (el) el.textContent = v; };
  let seen = null;

  function tail(rows) {
    const list = document.getElementById("w-tail");
    if (!list) return;
    const known = seen;
    seen = new Set(rows.map((r) => r.number));
    list.replaceChildren();
    if (!rows.length) {
      const li = document.createElement("li"); li.className = "none"; li.textContent = "暂无来件";
      list.appendChild(li);
      return;
    }
    rows.forEach((r) => {
      const li = document.createElement("li");
      if (r.emergency) li.classList.add("emergency");
      if (known && !known.has(r.number)) li.classList.add("fresh");
      const part = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; e.textContent = text; li.appendChild(e); };
      part("time", "", r.at);
      part("span", "what", r.category || r.domain);
      part("span", "where", [r.area, r.channel].filter(Boolean).join(" · "));
      part("span", "state", r.state);
      list.appendChild(li);
    });
  }

  function draw(d) {
    set("w-today", d.today.registered); set("w-closed", d.today.closed); set("w-open", d.open);
    set("w-overdue", d.open_overdue); set("w-emergency", d.emergency_open);
    set("w-sat", (d.last30.rates.satisfaction_rate ?? "—") + "%");
    set("w-stamp", d.now.slice(0, 16).replace("T", " "));
    const trend = window.HotlineCharts.trend("c-trend", d.last30, true);
    // the last day is today: always label it
    if (trend) trend.setOption({ xAxis: { axisLabel: { showMaxLabel: true } } });
    window.HotlineCharts.pie("c-today", "今日来源", d.today.by_channel, true);
    window.HotlineCharts.rates("c-rates", d.last30, true);
    window.HotlineCharts.bar("c-domain", "近30天归口分类", d.last30.by.domain.slice(0, 8), true, true);
    window.HotlineCharts.bar("c-area", "近30天区域分布", d.last30.by.area.slice(0, 8), true, true);
    window.HotlineCharts.bar("c-hour", "近30天来件时段", d.last30.by.hour, true);
    tail(d.tail || []);
  }

  draw(JSON.parse(document.getElementById("wall-data").textContent));
  setInterval(() => {
    fetch(wall.getAttribute("data-wall-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then(draw)
      .catch(() => {});
  }, REFRESH_MS);

  document.addEventListener("click", (e) => {
    if (!e.target.closest("[data-fullscreen]")) return;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  });
  document.addEventListener("fullscreenchange", () => {
    const b = document.querySelector("[data-fullscreen]");
    if (b) b.textContent = document.fullscreenElement ? "退出全屏" : "全屏";
  });
})();
