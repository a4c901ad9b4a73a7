// The kelurahan map: our own boundaries drawn with Leaflet (no tile server), coloured by the chosen metric.
(function () {
  "use strict";
  const el = document.getElementById("kelurahan-map");
  if (!el || !window.L) return;
  const select = document.getElementById("map-metric");
  const HIGHER_IS_BETTER = { ikm: true, attendance: true };
  const BLUES = ["#e7f0fb", "#b9d3f2", "#7fb0e6", "#3d86d4", "#1a5aa6"];
  const GREENS = ["#fde2e1", "#fbc6a4", "#f6e39a", "#a8d98a", "#2fb344"];
  let metric = el.dataset.metric;
  let data = null;
  let layer = null;
  let legend = null;
  el.innerHTML = "";
  const center = el.dataset.center.split(",").map(Number);
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: false }).setView(center, 12);

  function numberFormat(v) {
    return v === null || v === undefined ? el.dataset.none : new Intl.NumberFormat(document.documentElement.lang || "id",
      { maximumFractionDigits: 1 }).format(v);
  }

  function breaks(values) {
    const sorted = values.filter(function (v) { return v !== null && v !== undefined; }).sort(function (a, b) { return a - b; });
    if (!sorted.length) return [];
    const cuts = [];
    for (let i = 1; i < 5; i++) {
      const cut = sorted[Math.floor((sorted.length - 1) * i / 5)];
      if (cut < sorted[sorted.length - 1] && cuts.indexOf(cut) < 0) cuts.push(cut);
    }
    return cuts;
  }

  function colourFor(value, cuts) {
    if (value === null || value === undefined) return "#d5dbe3";
    const palette = (HIGHER_IS_BETTER[metric] ? GREENS : BLUES).slice(5 - cuts.length - 1);
    let i = 0;
    while (i < cuts.length && value > cuts[i]) i++;
    return palette[i];
  }

  function label() {
    return select ? select.options[select.selectedIndex].text : metric;
  }

  function draw() {
    if (!data) return;
    const cuts = breaks(data.features.map(function (f) { return f.properties[metric]; }));
    if (layer) layer.remove();
    layer = L.geoJSON(data, {
      style: function (f) {
        return { color: "#4b5b72", weight: 1, fillOpacity: 0.8, fillColor: colourFor(f.properties[metric], cuts) };
      },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 9 }); },
      onEachFeature: function (f, l) {
        const p = f.properties;
        l.bindTooltip("<strong>" + p.name + "</strong><br>" + label() + ": " + numberFormat(p[metric]) +
          "<br><small>" + el.dataset.open + "</small>", { sticky: true });
        l.on("click", function () { window.location.href = p.url; });
        l.on("mouseover", function () { l.setStyle({ weight: 3 }); });
        l.on("mouseout", function () { l.setStyle({ weight: 1 }); });
        if (l.getElement) { const node = l.getElement(); if (node) node.setAttribute("data-kelurahan", p.code); }
      },
    }).addTo(map);
    if (!draw.fitted && data.features.length) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); draw.fitted = true; }
    if (legend) legend.remove();
    legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      const div = L.DomUtil.create("div", "map-legend");
      const palette = (HIGHER_IS_BETTER[metric] ? GREENS : BLUES).slice(5 - cuts.length - 1);
      let html = "<strong>" + label() + "</strong><br>";
      const values = data.features.map(function (f) { return f.properties[metric]; })
        .filter(function (v) { return v !== null && v !== undefined; });
      const edges = cuts.length ? [null].concat(cuts) : [];
      if (!cuts.length && values.length) {  // every kelurahan has the same value: one swatch, no range
        html += '<i style="background:' + palette[0] + '"></i>' + numberFormat(values[0]) + "<br>";
      }
      edges.forEach(function (lo, i) {
        const hi = cuts[i];
        html += '<i style="background:' + palette[i] + '"></i>' + (lo === null ? "≤ " + numberFormat(hi)
          : hi === undefined ? "> " + numberFormat(lo) : numberFormat(lo) + " – " + numberFormat(hi)) + "<br>";
      });
      div.innerHTML = html + '<i style="background:#d5dbe3"></i>' + el.dataset.none;
      return div;
    };
    legend.addTo(map);
    el.dataset.ready = "true";
  }

  function load() {
    return fetch(el.dataset.data, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (json) { data = json; draw(); });
  }

  if (select) select.addEventListener("change", function () {
    metric = select.value;
    history.replaceState(null, "", "?ukuran=" + metric);
    draw();
  });
  let pending = null;
  document.addEventListener("satulayar:event", function (e) {
    if (!/^(ticket|punch|rating)\./.test(e.detail.kind) || pending) return;
    pending = setTimeout(function () { pending = null; load(); }, 300);
  });
  load();
})();
