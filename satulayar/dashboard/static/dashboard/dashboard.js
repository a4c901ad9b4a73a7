// The one screen: draws the ECharts in the page and keeps the panels live through Server-Sent Events.
// A panel lists the event kinds (prefixes) that change it; after such an event it fetches its own HTML again.
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root) return;
  const dark = document.documentElement.dataset.bsTheme === "dark";
  const state = document.getElementById("live-state");
  const KINDS = ["punch.recorded", "ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving",
    "ticket.done", "ticket.no_show", "ticket.cancelled", "rating.submitted", "alert.opened", "alert.resolved",
    "alert.acknowledged", "health", "count", "frame", "run", "inspection_closed", "inspection_started"];

  function wallSized(option) {  // a TV is read from across the room
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (axis) {
      axis.axisLabel = Object.assign({}, axis.axisLabel, { fontSize: 17 });
      if (axis.axisLabel.width) axis.axisLabel.width = 260;
    });
    if (option.legend) option.legend.textStyle = { fontSize: 17 };
  }

  function drawCharts(scope) {
    if (!window.echarts) return;
    scope.querySelectorAll("[data-chart]").forEach(function (el) {
      const old = echarts.getInstanceByDom(el);
      if (old) old.dispose();
      const chart = echarts.init(el, dark ? "dark" : null, { renderer: "svg" });
      const option = JSON.parse(el.dataset.chart);
      if (dark) option.backgroundColor = "transparent";
      if (root.dataset.wall) wallSized(option);
      chart.setOption(option);
    });
  }

  function refresh(panel) {
    const url = panel.dataset.panelUrl + (root.dataset.wall ? "?layar=1" : "");
    panel.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        panel.querySelectorAll("[data-chart]").forEach(function (el) {
          const chart = window.echarts && echarts.getInstanceByDom(el);
          if (chart) chart.dispose();
        });
        panel.innerHTML = html;
        panel.dataset.refreshedAt = String(Date.now());
        drawCharts(panel);
        panel.classList.remove("live-error");
      })
      .catch(function () { panel.classList.add("live-error"); })
      .finally(function () { panel.removeAttribute("aria-busy"); });
  }

  const pending = new Map();
  function schedule(kind) {
    document.querySelectorAll("[data-panel-url]").forEach(function (panel) {
      const wanted = (panel.dataset.kinds || "").split(" ").filter(Boolean);
      if (!wanted.some(function (prefix) { return kind.startsWith(prefix); })) return;
      if (pending.has(panel)) return;
      // Events come in bursts (a device uploading, a desk calling); one fetch per burst is enough.
      const since = Date.now() - Number(panel.dataset.refreshedAt || 0);
      const wait = Math.max(120, Number(panel.dataset.minInterval || 0) - since);
      pending.set(panel, setTimeout(function () { pending.delete(panel); refresh(panel); }, wait));
    });
    document.dispatchEvent(new CustomEvent("satulayar:event", { detail: { kind: kind } }));
  }

  function setState(name) {
    if (!state) return;
    state.dataset.state = name;
    state.textContent = state.dataset[name] || name;
    state.className = "badge live-state " + (name === "online" ? "bg-green-lt" : "bg-secondary-lt");
  }

  drawCharts(document);
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      const chart = window.echarts && echarts.getInstanceByDom(el);
      if (chart) chart.resize();
    });
  });
  window.satulayarDraw = drawCharts;

  if (root.dataset.stream && window.EventSource) {
    const source = new EventSource(root.dataset.stream);
    source.onopen = function () { setState("online"); };
    source.onerror = function () { setState("offline"); };  // it reconnects by itself with Last-Event-ID
    KINDS.forEach(function (kind) { source.addEventListener(kind, function () { schedule(kind); }); });
    source.onmessage = function (e) { schedule(e.type || "message"); };
  }
  // A safety net: a missed event costs at most two minutes.
  setInterval(function () { document.querySelectorAll("[data-panel-url]").forEach(refresh); }, 120000);
})();
