// The kelurahan map: our own boundaries drawn with Leaflet (no tile server), coloured by the chosen metric.
// The boundaries (GeoJSON, ~70 KB) load once; a live event refreshes only the values (?nilai=1, a few KB) and
// recolours the shapes in place, so the map never goes blank. Names show on hover, and on the map when zoomed in.
(function () {
  "use strict";
  const el = document.getElementById("kelurahan-map");
  if (!el || !window.L) return;
  const F = window.SLFormat;
  const select = document.getElementById("map-metric");
  const status = document.getElementById("map-status");
  const HIGHER_IS_BETTER = { ikm: true, attendance: true };
  const STEP = { visits: 1, waiting: 1, wait: 0.1, attendance: 0.1, ikm: 0.01 };  // the values' own precision
  const BLUES = ["#e7f0fb", "#b9d3f2", "#7fb0e6", "#3d86d4", "#1a5aa6"];
  const GREENS = ["#fde2e1", "#fbc6a4", "#f6e39a", "#a8d98a", "#2fb344"];
  const NONE = "#d5dbe3";
  const LABEL_ZOOM = 13.5;
  let metric = el.dataset.metric;
  let values = {};  // kelurahan code -> properties
  let layer = null;
  let labels = null;
  let legend = null;
  const center = el.dataset.center.split(",").map(Number);
  el.querySelectorAll("[data-map-placeholder]").forEach(function (node) { node.remove(); });
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: false }).setView(center, 12);

  function digits() { return STEP[metric] === 1 ? 0 : STEP[metric] === 0.01 ? 2 : 1; }
  function format(v) {
    if (v === null || v === undefined) return el.dataset.none;
    return F ? F.number(v, digits(), { trim: STEP[metric] !== 1 }) : String(v);
  }
  function present(v) { return v !== null && v !== undefined; }

  function setStatus(text) {
    if (!status) return;
    status.textContent = text || "";
    status.hidden = !text;
  }

  // Quantile cuts (at most four, so five classes), each a value that occurs: class i holds cut[i-1] < v <= cut[i].
  function breaks(list) {
    const sorted = list.filter(present).sort(function (a, b) { return a - b; });
    if (!sorted.length) return [];
    const cuts = [];
    for (let i = 1; i < 5; i++) {
      const cut = sorted[Math.floor((sorted.length - 1) * i / 5)];
      if (cut < sorted[sorted.length - 1] && cuts.indexOf(cut) < 0) cuts.push(cut);
    }
    return cuts;
  }

  function palette(cuts) { return (HIGHER_IS_BETTER[metric] ? GREENS : BLUES).slice(5 - cuts.length - 1); }

  function colourFor(value, cuts) {
    if (!present(value)) return NONE;
    let i = 0;
    while (i < cuts.length && value > cuts[i]) i++;
    return palette(cuts)[i];
  }

  // Bins that do not overlap: "≤ 8", "9 – 10", "≥ 11" for counts; one step of the values' precision apart
  // for decimals ("≤ 8,5", "8,6 – 10,0").
  function bins(cuts, all) {
    const step = STEP[metric] || 1;
    const max = Math.max.apply(null, all);
    const result = [];
    cuts.forEach(function (cut, i) {
      if (i === 0) result.push("\u2264 " + format(cut));
      else {
        const lo = Math.round((cuts[i - 1] + step) / step) * step;
        result.push(lo >= cut ? format(cut) : format(lo) + " \u2013 " + format(cut));
      }
    });
    if (cuts.length) {
      const lo = Math.round((cuts[cuts.length - 1] + step) / step) * step;
      result.push(lo >= max ? format(max) : "\u2265 " + format(lo));
    }
    return result;
  }

  function label() { return select ? select.options[select.selectedIndex].text : metric; }

  function tooltip(p) {
    const v = values[p.code] || p;
    const wrap = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = p.name;
    wrap.appendChild(name);
    wrap.appendChild(document.createElement("br"));
    wrap.appendChild(document.createTextNode(p.kecamatan || ""));
    wrap.appendChild(document.createElement("br"));
    wrap.appendChild(document.createTextNode(label() + ": " + format(v[metric])));
    const hint = document.createElement("small");
    hint.className = "d-block text-secondary";
    hint.textContent = el.dataset.open;
    wrap.appendChild(hint);
    return wrap;
  }

  function recolour() {
    if (!layer) return;
    const all = Object.keys(values).map(function (code) { return values[code][metric]; }).filter(present);
    const cuts = breaks(all);
    layer.eachLayer(function (l) {
      const p = l.feature.properties;
      const v = values[p.code] ? values[p.code][metric] : null;
      if (l.setStyle) l.setStyle({ fillColor: colourFor(v, cuts) });
      l.setTooltipContent(tooltip(p));
      const node = l.getElement && l.getElement();
      if (node) node.setAttribute("data-value", present(v) ? String(v) : "");
    });
    if (legend) legend.remove();
    legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      const div = L.DomUtil.create("div", "map-legend");
      div.setAttribute("data-testid", "map-legend");
      const title = document.createElement("strong");
      title.textContent = label();
      div.appendChild(title);
      const colours = palette(cuts);
      const rows = cuts.length ? bins(cuts, all) : all.length ? [format(all[0])] : [];
      rows.concat([el.dataset.none]).forEach(function (text, i) {
        const row = document.createElement("div");
        row.className = "map-legend-row";
        const swatch = document.createElement("i");
        swatch.style.background = i < rows.length ? colours[i] : NONE;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(text));
        div.appendChild(row);
      });
      return div;
    };
    legend.addTo(map);
    el.dataset.ready = "true";
  }

  function showLabels() {
    if (!labels) return;
    if (map.getZoom() >= LABEL_ZOOM) labels.addTo(map); else labels.remove();
  }

  function drawBoundaries(geojson) {
    geojson.features.forEach(function (f) { values[f.properties.code] = f.properties; });
    layer = L.geoJSON(geojson, {
      style: function () { return { color: "#4b5b72", weight: 1, fillOpacity: 0.8, fillColor: NONE }; },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 9 }); },
      onEachFeature: function (f, l) {
        const p = f.properties;
        l.bindTooltip(tooltip(p), { sticky: true });
        l.on("click", function () { window.location.href = p.url; });
        l.on("mouseover", function () { if (l.setStyle) l.setStyle({ weight: 3 }); });
        l.on("mouseout", function () { if (l.setStyle) l.setStyle({ weight: 1 }); });
        l.on("add", function () {
          const node = l.getElement && l.getElement();
          if (node) { node.setAttribute("data-kelurahan", p.code); node.setAttribute("aria-label", p.name); }
        });
      },
    }).addTo(map);
    labels = L.layerGroup(geojson.features.map(function (f) {
      const centre = f.geometry.type === "Point" ? L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0])
        : L.geoJSON(f).getBounds().getCenter();
      return L.marker(centre, { interactive: false, keyboard: false,
        icon: L.divIcon({ className: "map-name", html: "", iconSize: null }) })
        .on("add", function () { this.getElement().textContent = f.properties.name; });
    }));
    if (geojson.features.length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    map.on("zoomend", showLabels);
    showLabels();
    recolour();
  }

  function loadBoundaries() {
    setStatus(el.dataset.loading);
    return fetch(el.dataset.data, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (json) { drawBoundaries(json); setStatus(""); })
      .catch(function () { setStatus(el.dataset.failed); });
  }

  let inFlight = false;
  function refreshValues() {
    if (!layer || inFlight) return;
    inFlight = true;
    el.setAttribute("aria-busy", "true");
    fetch(el.dataset.data + "?nilai=1", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (json) { values = json.values; recolour(); el.dataset.refreshedAt = String(Date.now()); })
      .catch(function () { /* the shapes keep their last colours; the next event tries again */ })
      .finally(function () { inFlight = false; el.removeAttribute("aria-busy"); });
  }

  if (select) select.addEventListener("change", function () {
    metric = select.value;
    history.replaceState(null, "", "?ukuran=" + metric);
    recolour();
  });
  let pending = null;
  document.addEventListener("satulayar:event", function (e) {
    if (!/^(ticket|punch|rating|status)\./.test(e.detail.kind) || pending) return;
    pending = setTimeout(function () { pending = null; refreshValues(); }, 1000);
  });
  loadBoundaries();
})();
