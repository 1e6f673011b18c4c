// Declaration of a crisis: a polygon drawn on the map (tap to add vertices) goes to the hidden "zone" field.
(function () {
  "use strict";
  var mapElement = document.getElementById("crisis-zone-map");
  var field = document.querySelector("input[name=zone]");
  if (!mapElement || !field) { return; }
  var status = document.getElementById("zone-status");
  var map = L.map(mapElement, {keyboard: true});
  window.confianceBasemap(map);
  var points = [];
  var shape = null;

  function redraw() {
    if (shape) { map.removeLayer(shape); shape = null; }
    if (points.length >= 3) {
      shape = L.polygon(points, {color: "#8f1d1d", weight: 3, fillOpacity: 0.15}).addTo(map);
    } else if (points.length) {
      shape = L.polyline(points, {color: "#8f1d1d", weight: 3, dashArray: "4 4"}).addTo(map);
    }
    status.textContent = points.length ? points.length + " " + status.dataset.points : status.dataset.empty;
    if (points.length >= 3) {
      var ring = points.map(function (p) { return [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]; });
      ring.push(ring[0]);
      field.value = JSON.stringify({type: "Polygon", coordinates: [ring]});
    } else {
      field.value = "";
    }
  }
  function restore() {  // a form sent back with an error keeps its zone
    if (!field.value) { return; }
    try {
      var geometry = JSON.parse(field.value);
      points = geometry.coordinates[0].slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
    } catch (error) { points = []; }
  }
  map.on("click", function (event) { points.push(event.latlng); redraw(); });
  document.getElementById("zone-undo").addEventListener("click", function () { points.pop(); redraw(); });
  document.getElementById("zone-clear").addEventListener("click", function () { points = []; redraw(); });
  fetch(mapElement.dataset.territory, {credentials: "same-origin"}).then(function (r) { return r.json(); })
    .then(function (collection) {
      var outline = L.geoJSON(collection, {style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.03}, interactive: false})
        .addTo(map);
      if (outline.getLayers().length) { map.fitBounds(outline.getBounds()); } else { map.setView([46.6, 2.4], 6); }
    });
  restore();
  redraw();
})();
