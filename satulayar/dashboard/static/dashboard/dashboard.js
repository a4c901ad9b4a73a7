// The one screen: draws the ECharts in the page and keeps the panels live through Server-Sent Events.
// A panel lists the event kinds (prefixes) that change it; after such an event it fetches its own HTML again.
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  if (!root) return;
  const dark = document.documentElement.dataset.bsTheme === "dark";
  const state = document.getElementById("live-state");
  // Every live event kind, from the server's registry (core.events.EVENT_KINDS, put in the page by base.html).
  const kindsNode = document.getElementById("event-kinds");
  const KINDS = kindsNode ? JSON.parse(kindsNode.textContent) : [];

  function wallSized(option) {  // a TV is read from across the room
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (axis) {
      axis.axisLabel = Object.assign({}, axis.axisLabel, { fontSize: 17 });
      if (axis.axisLabel.width) axis.axisLabel.width = 260;
    });
    if (option.legend) option.legend.textStyle = { fontSize: 17 };
  }

  // The server names a value format (`slFormat`); the formatters come from static/satulayar/format.js.
  function formatted(option) {
    const F = window.SLFormat;
    if (!F) return option;
    const spec = option.slFormat || { kind: "count", digits: 0 };
    delete option.slFormat;
    const value = F.formatter(spec.kind, spec.digits);
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (axis) {
      if (axis.type === "value") axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: value });
      if (axis.slDates) {
        delete axis.slDates;
        axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: function (v) { return F.shortDate(v); } });
      }
    });
    if (option.tooltip && option.tooltip.show !== false) {
      option.tooltip.valueFormatter = function (v) { return v === null || v === undefined ? "\u2013" : value(v); };
    }
    return option;
  }

  function optionOf(el) {
    const option = formatted(JSON.parse(el.dataset.chart));
    if (dark) option.backgroundColor = "transparent";
    if (root.dataset.wall) wallSized(option);
    return option;
  }

  function drawChart(el) {
    const old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    const chart = echarts.init(el, dark ? "dark" : null, { renderer: "svg" });
    chart.setOption(optionOf(el));
    el.classList.remove("chart-loading");
  }

  function drawCharts(scope) {
    if (!window.echarts) return;
    scope.querySelectorAll("[data-chart]").forEach(drawChart);
  }

  // A live update keeps each chart (same place in the panel, same kind) and merges the new values into it:
  // bars move from their old length to the new one instead of collapsing and growing again from zero.
  function swapKeepingCharts(panel, html) {
    if (!window.echarts) { panel.innerHTML = html; return; }
    const kept = Array.prototype.filter.call(panel.querySelectorAll("[data-chart]"), function (el) {
      return window.echarts && echarts.getInstanceByDom(el);
    });
    const next = document.createElement("div");
    next.innerHTML = html;
    const incoming = next.querySelectorAll("[data-chart]");
    const reused = [];
    incoming.forEach(function (el, index) {
      const old = kept[index];
      if (!old || (old.dataset.chartKey || "") !== (el.dataset.chartKey || "")) return;
      const chart = echarts.getInstanceByDom(old);
      old.dataset.chart = el.dataset.chart;
      el.replaceWith(old);
      chart.setOption(optionOf(old), { lazyUpdate: false });
      reused.push(old);
    });
    kept.forEach(function (el) {
      if (reused.indexOf(el) < 0) echarts.getInstanceByDom(el).dispose();
    });
    panel.replaceChildren.apply(panel, Array.prototype.slice.call(next.childNodes));
    panel.querySelectorAll("[data-chart]").forEach(function (el) {
      if (reused.indexOf(el) < 0) drawChart(el);
      else echarts.getInstanceByDom(el).resize();
    });
  }

  function refresh(panel) {
    const url = panel.dataset.panelUrl + (root.dataset.wall ? "?layar=1" : "");
    panel.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        swapKeepingCharts(panel, html);
        panel.dataset.refreshedAt = String(Date.now());
        panel.classList.remove("live-error");
        document.dispatchEvent(new CustomEvent("satulayar:panel", { detail: { panel: panel } }));
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
