// Parts of a page kept live by the Server-Sent Events stream instead of polling.
// An element with data-live-stream (the stream's URL) and data-live-kinds (event-kind prefixes, space separated)
// receives the htmx event "live" after each matching event (hx-trigger="live"); data-live-where="key=value" keeps
// only events whose payload has that value. While its stream is down (not yet open, refused, or reconnecting) the
// element receives "live" every data-live-fallback milliseconds instead (default 30 s): a slow poll as a safety net.
// Elements are looked up at each event, so parts that htmx swaps out and back in keep listening.
(function () {
  "use strict";
  const kindsNode = document.getElementById("event-kinds");
  const KINDS = kindsNode ? JSON.parse(kindsNode.textContent) : [];
  const streams = new Map();  // url -> {up: bool}

  function listeners(url) {
    return Array.from(document.querySelectorAll("[data-live-stream]")).filter(function (el) {
      return el.dataset.liveStream === url;
    });
  }

  function wants(el, kind, data) {
    const prefixes = (el.dataset.liveKinds || "").split(" ").filter(Boolean);
    if (!prefixes.some(function (prefix) { return kind.startsWith(prefix); })) return false;
    const where = el.dataset.liveWhere;
    if (!where) return true;
    const pair = where.split("=");
    return data && String(data[pair[0]]) === pair[1];
  }

  function fire(el) {
    if (window.htmx) window.htmx.trigger(el, "live");
  }

  function open(url) {
    const state = { up: false };
    streams.set(url, state);
    const source = new EventSource(url);
    source.onopen = function () { state.up = true; document.body.dataset.liveStream = "online"; };
    source.onerror = function () { state.up = false; document.body.dataset.liveStream = "offline"; };
    KINDS.forEach(function (kind) {
      source.addEventListener(kind, function (event) {
        let data = null;
        try { data = JSON.parse(event.data); } catch (e) { data = null; }
        listeners(url).forEach(function (el) { if (wants(el, kind, data)) fire(el); });
      });
    });
    const fallback = Math.min.apply(null, listeners(url).map(function (el) {
      return Number(el.dataset.liveFallback || 30000);
    }));
    setInterval(function () {
      if (!state.up) listeners(url).forEach(fire);
    }, fallback);
  }

  function start() {
    document.querySelectorAll("[data-live-stream]").forEach(function (el) {
      const url = el.dataset.liveStream;
      if (streams.has(url)) return;
      if (window.EventSource) open(url);
      else setInterval(function () { listeners(url).forEach(fire); }, Number(el.dataset.liveFallback || 30000));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
