// The alert form's map: draw the area as polygons (click each vertex, then "finish") and circles (click the centre,
// then a point of the edge). The shapes go, as a GeoJSON FeatureCollection, into the hidden field "area"; the server
// checks them again (closed, at least 4 points, no self-intersection). No drawing plugin: a few clicks are enough.
(function () {
  "use strict";
  var element = document.getElementById("alert-map");
  var input = document.getElementById("id_area");
  if (!element || !input || !window.L) { return; }
  var map = L.map(element, {keyboard: true});
  window.confianceBasemap(map);
  var shapes = L.featureGroup().addTo(map);
  var sketch = L.layerGroup().addTo(map);
  var features = [];
  var mode = null, vertices = [], centre = null;
  var buttons = {polygon: document.getElementById("draw-polygon"), circle: document.getElementById("draw-circle")};
  var count = document.getElementById("draw-count");
  var STYLE = {color: "#b00020", weight: 3, fillOpacity: 0.15};

  function read() {
    if (!input.value) { return []; }
    try { return (JSON.parse(input.value).features || []); } catch (error) { return []; }
  }
  function write() {
    input.value = features.length ? JSON.stringify({type: "FeatureCollection", features: features}) : "";
    count.textContent = features.length + " " + element.dataset.labelShapes;
  }
  function layerOf(feature) {
    var geometry = feature.geometry || {};
    if (geometry.type === "Point") {
      return L.circle([geometry.coordinates[1], geometry.coordinates[0]],
        Object.assign({radius: (feature.properties || {}).radius_m || 100}, STYLE));
    }
    return L.polygon((geometry.coordinates[0] || []).map(function (p) { return [p[1], p[0]]; }), STYLE);
  }
  function redraw() {
    shapes.clearLayers();
    features.forEach(function (feature) { shapes.addLayer(layerOf(feature)); });
    write();
  }
  function setMode(next) {
    mode = mode === next ? null : next;
    vertices = []; centre = null; sketch.clearLayers();
    Object.keys(buttons).forEach(function (key) { buttons[key].setAttribute("aria-pressed", String(mode === key)); });
    element.style.cursor = mode ? "crosshair" : "";
  }
  function drawSketch() {
    sketch.clearLayers();
    if (vertices.length) {
      L.polyline(vertices, {color: "#b00020", dashArray: "4 4"}).addTo(sketch);
      vertices.forEach(function (v) { L.circleMarker(v, {radius: 4, color: "#b00020"}).addTo(sketch); });
    }
    if (centre) { L.circleMarker(centre, {radius: 5, color: "#b00020"}).addTo(sketch); }
  }
  function round(value) { return Math.round(value * 1e6) / 1e6; }
  function finishPolygon() {
    if (mode !== "polygon" || vertices.length < 3) { return; }
    var ring = vertices.map(function (v) { return [round(v.lng), round(v.lat)]; });
    ring.push(ring[0].slice());
    features.push({type: "Feature", properties: {}, geometry: {type: "Polygon", coordinates: [ring]}});
    setMode(null); redraw();
  }
  map.on("click", function (event) {
    if (mode === "polygon") { vertices.push(event.latlng); drawSketch(); }
    else if (mode === "circle") {
      if (!centre) { centre = event.latlng; drawSketch(); return; }
      var radius = Math.max(1, Math.round(map.distance(centre, event.latlng)));
      features.push({type: "Feature", properties: {radius_m: radius},
        geometry: {type: "Point", coordinates: [round(centre.lng), round(centre.lat)]}});
      setMode(null); redraw();
    }
  });
  buttons.polygon.addEventListener("click", function () { setMode("polygon"); });
  buttons.circle.addEventListener("click", function () { setMode("circle"); });
  document.getElementById("draw-finish").addEventListener("click", finishPolygon);
  document.getElementById("draw-undo").addEventListener("click", function () {
    if (vertices.length) { vertices.pop(); drawSketch(); }
    else if (centre) { centre = null; drawSketch(); }
    else { features.pop(); redraw(); }
  });
  document.getElementById("draw-clear").addEventListener("click", function () {
    features = []; setMode(null); redraw();
  });
  map.on("dblclick", function (event) { if (mode === "polygon") { L.DomEvent.stop(event); finishPolygon(); } });
  map.doubleClickZoom.disable();

  features = read();
  redraw();
  fetch(element.dataset.territory, {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : {features: []}; })
    .then(function (collection) {
      var outline = L.geoJSON({type: "FeatureCollection", features: (collection.features || []).filter(function (f) {
        return !f.properties || !f.properties.layer || f.properties.layer === "commune" || f.properties.layer === "sector";
      })}, {interactive: false, style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.03}}).addTo(map);
      var bounds = shapes.getLayers().length ? shapes.getBounds() : (outline.getLayers().length ? outline.getBounds() : null);
      if (bounds) { map.fitBounds(bounds.pad(0.2), {maxZoom: 16}); } else { map.setView([46.6, 2.4], 6); }
      element.dataset.ready = "1";
    }).catch(function () { map.setView([46.6, 2.4], 6); element.dataset.ready = "1"; });
})();
