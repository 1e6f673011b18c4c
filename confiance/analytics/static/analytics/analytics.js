// Analysis result page: follow the background computation, then draw its maps and charts.
(function () {
  "use strict";
  const labels = JSON.parse(document.getElementById("analysis-labels").textContent);
  const data = JSON.parse(document.getElementById("analysis-data").textContent) || {};
  // Figures and dates as the reader writes them ("1 234,5", "2 déc. 2026"), never raw ("1234.5", "2026-12-02").
  const locale = document.documentElement.lang || "fr";
  function fmt(value, decimals) {
    if (value === null || value === undefined || Number.isNaN(Number(value))) { return "—"; }
    return Number(value).toLocaleString(locale, {maximumFractionDigits: decimals || 0});
  }
  function pct(share) { return fmt(100 * share) + "\u00a0%"; }
  function localDay(iso) {
    const day = new Date(iso + "T00:00:00");
    return Number.isNaN(day.getTime()) ? iso : day.toLocaleDateString(locale, {day: "numeric", month: "short", year: "numeric"});
  }

  // --- progress: poll the state until the run is over, then show the result ---
  const box = document.getElementById("avancement");
  if (box && box.dataset.state && document.getElementById("progression")) {
    const bar = document.getElementById("progression");
    const stage = document.getElementById("etape");
    const poll = async function () {
      try {
        const response = await fetch(box.dataset.state, {headers: {Accept: "application/json"}});
        const state = await response.json();
        if (state.status === "done" || state.status === "failed") { window.location.reload(); return; }
        bar.value = Math.round(100 * state.progress);
        bar.textContent = bar.value + " %";
        if (state.stage) { stage.textContent = state.stage; }
      } catch (error) { /* network hiccup: try again */ }
      window.setTimeout(poll, 1000);
    };
    window.setTimeout(poll, 500);
  }

  // --- maps ---
  function tip(text) {  // Leaflet writes a string as HTML: tooltips get an element holding the text
    const node = document.createElement("span");
    node.textContent = text;
    return node;
  }
  function baseMap(element) {
    const map = L.map(element, {preferCanvas: true});
    window.confianceBasemap(map);
    return map;
  }
  // Sequential colour scale (light yellow to dark red), readable on a plain background.
  const SCALE = ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"];
  function shade(value, max) {
    if (!(max > 0) || !(value > 0)) { return null; }
    return SCALE[Math.min(SCALE.length - 1, Math.floor(SCALE.length * value / max))];
  }
  function legend(text) { const el = document.getElementById("map-legend"); if (el) { el.textContent = text; } }

  const mapElement = document.getElementById("analysis-map");
  if (mapElement && data.cells) {
    const map = baseMap(mapElement);
    const features = data.cells.features;
    const maxDensity = Math.max(0, ...features.map(f => f.properties.d));
    const maxCount = Math.max(0, ...features.map(f => f.properties.n));
    const maxH3 = Math.max(0, ...data.h3.collection.features.map(f => f.properties.n));
    const styles = {
      density: f => ({fillColor: shade(f.properties.d, maxDensity), fillOpacity: shade(f.properties.d, maxDensity) ? 0.7 : 0, weight: 0}),
      count: f => ({fillColor: shade(f.properties.n, maxCount), fillOpacity: f.properties.n ? 0.75 : 0, weight: 0}),
      gi: f => ({fillColor: f.properties.c > 0 ? "#b10026" : f.properties.c < 0 ? "#2166ac" : "#000", fillOpacity: f.properties.c ? 0.7 : 0, weight: 0}),
    };
    const descriptions = {
      density: () => labels.perKm2 + " : 0 – " + fmt(maxDensity, 1),
      count: () => labels.events + " : 0 – " + fmt(maxCount),
      gi: () => labels.hot + " (rouge), " + labels.cold + " (bleu)",
      h3: () => labels.events + " : 0 – " + fmt(maxH3),
    };
    let layer = null;
    function show(kind) {
      if (layer) { map.removeLayer(layer); }
      if (kind === "h3") {
        layer = L.geoJSON(data.h3.collection, {style: f => ({fillColor: shade(f.properties.n, maxH3), fillOpacity: 0.7, weight: 1, color: "#555"}),
          onEachFeature: (f, l) => l.bindTooltip(tip(fmt(f.properties.n) + " " + labels.events))});
      } else {
        layer = L.geoJSON(data.cells, {style: styles[kind], onEachFeature: (f, l) => l.bindTooltip(tip(
          fmt(f.properties.n) + " " + labels.events + " · " + fmt(f.properties.d, 1) + " " + labels.perKm2 +
          (f.properties.z !== undefined ? " · z " + fmt(f.properties.z, 2) : "")))});
      }
      layer.addTo(map);
      if (outline) { outline.bringToFront(); }
      legend(descriptions[kind]());
    }
    const outline = data.outline ? L.geoJSON(data.outline, {style: {color: "#1d3b8f", weight: 2, fill: false}, interactive: false}).addTo(map) : null;
    show("density");
    // The whole commune in view: its outline and the result's cells (either may reach beyond the other).
    const bounds = L.geoJSON(data.cells).getBounds();
    if (outline && outline.getBounds().isValid()) { bounds.extend(outline.getBounds()); }
    function fit() {
      if (bounds.isValid()) { map.fitBounds(bounds, {padding: [8, 8]}); } else { map.setView([48.52, 2.39], 12); }
    }
    fit();
    if (window.ResizeObserver) {  // the box gets its final size once late styles arrive: fit again then
      let size = [mapElement.clientWidth, mapElement.clientHeight];
      new ResizeObserver(() => {
        const now = [mapElement.clientWidth, mapElement.clientHeight];
        if (now[0] === size[0] && now[1] === size[1]) { return; }
        size = now;
        map.invalidateSize();
        fit();
      }).observe(mapElement);
    }
    document.querySelectorAll("input[name=couche]").forEach(input =>
      input.addEventListener("change", () => show(input.value)));
  }
  if (mapElement && data.next_week) {
    const map = baseMap(mapElement);
    const features = data.next_week.cells.features;
    const max = Math.max(0, ...features.map(f => f.properties.risk));
    const layer = L.geoJSON(data.next_week.cells, {style: f => ({fillColor: shade(f.properties.risk, max) || "#feb24c", fillOpacity: 0.75, weight: 1, color: "#7a0019"})}).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
  }

  // --- charts ---
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1a1a1a";
  Chart.defaults.locale = locale;
  function lineChart(id, chartLabels, datasets, options) {
    const canvas = document.getElementById(id);
    if (!canvas) { return; }
    new Chart(canvas, {type: "line", data: {labels: chartLabels, datasets: datasets},
      options: Object.assign({animation: false, interaction: {mode: "index", intersect: false}, elements: {point: {radius: 0}}}, options || {})});
  }
  if (data.weekly) {
    lineChart("weekly-chart", data.weekly.week_starts.map(localDay), [
      {label: labels.observed, data: data.weekly.observed, borderColor: "#1d3b8f", borderWidth: 2},
      {label: labels.expected, data: data.weekly.expected, borderColor: "#4a4a4a", borderDash: [6, 4], borderWidth: 2},
      {label: labels.upper, data: data.weekly.upper, borderColor: "#a4161a", borderDash: [2, 3], borderWidth: 1.5},
    ]);
  }
  if (data.loads && data.loads.length && !data.loads[0].error) {
    const all = data.loads[0];
    const days = [];
    const start = new Date(all.history_start + "T00:00:00");
    const total = all.history.length + all.forecast.length;
    for (let k = 0; k < total; k++) {
      const day = new Date(start.getTime() + k * 86400000);
      days.push(day.toLocaleDateString(locale, {day: "numeric", month: "short"}));
    }
    const pad = n => new Array(n).fill(null);
    lineChart("load-chart", days, [
      {label: labels.history, data: all.history.concat(pad(all.forecast.length)), borderColor: "#1d3b8f", borderWidth: 2},
      {label: labels.forecast, data: pad(all.history.length).concat(all.forecast), borderColor: "#b10026", borderWidth: 2},
      {label: labels.baseline, data: pad(all.history.length).concat(new Array(all.forecast.length).fill(all.baseline)), borderColor: "#4a4a4a", borderDash: [6, 4], borderWidth: 2},
    ]);
  }
  if (data.pai) {
    const shares = data.pai.area_shares.map(pct);
    lineChart("pai-chart", shares, [
      {label: "PAI", data: data.pai.pai, borderColor: "#b10026", borderWidth: 2, yAxisID: "y"},
      {label: labels.naive, data: data.pai.naive_pai, borderColor: "#4a4a4a", borderDash: [6, 4], borderWidth: 2, yAxisID: "y"},
      {label: "PEI", data: data.pai.pei, borderColor: "#1d3b8f", borderWidth: 2, yAxisID: "y2"},
    ], {elements: {point: {radius: 3}}, scales: {x: {title: {display: true, text: labels.share}},
      y: {position: "left", title: {display: true, text: "PAI"}}, y2: {position: "right", min: 0, max: 1, title: {display: true, text: "PEI"}, grid: {drawOnChartArea: false}}}});
    const body = document.getElementById("pai-rows");
    if (body) {
      data.pai.area_shares.forEach((share, k) => {
        const row = document.createElement("tr");
        [pct(share), data.pai.hit_rate[k] === null ? "—" : pct(data.pai.hit_rate[k]), fmt(data.pai.pai[k], 2), fmt(data.pai.pei[k], 2), fmt(data.pai.naive_pai[k], 2)]
          .forEach(value => { const cell = document.createElement("td"); cell.textContent = value; row.appendChild(cell); });
        body.appendChild(row);
      });
    }
  }
})();
