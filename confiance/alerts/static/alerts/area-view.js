// One alert's page: its drawn area (polygons and circles) over the commune's outline.
(function () {
  "use strict";
  var element = document.getElementById("alert-view-map");
  var data = document.getElementById("alert-area");
  if (!element || !data || !window.L) { return; }
  var area = JSON.parse(data.textContent) || {};
  var map = L.map(element, {keyboard: true});
  window.confianceBasemap(map);
  var style = {color: "#b00020", weight: 3, fillOpacity: 0.15};
  var shapes = L.featureGroup().addTo(map);
  (area.features || []).forEach(function (feature) {
    var g = feature.geometry || {};
    if (g.type === "Point") {
      shapes.addLayer(L.circle([g.coordinates[1], g.coordinates[0]],
        Object.assign({radius: (feature.properties || {}).radius_m || 100}, style)));
    } else if (g.type === "Polygon") {
      shapes.addLayer(L.polygon(g.coordinates[0].map(function (p) { return [p[1], p[0]]; }), style));
    }
  });
  fetch(element.dataset.territory, {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : {features: []}; })
    .then(function (collection) {
      var outline = L.geoJSON(collection, {interactive: false, style: {color: "#1d3b8f", weight: 1, fillOpacity: 0.02}})
        .addTo(map);
      var bounds = shapes.getLayers().length ? shapes.getBounds() : (outline.getLayers().length ? outline.getBounds() : null);
      if (bounds) { map.fitBounds(bounds.pad(0.3), {maxZoom: 16}); } else { map.setView([46.6, 2.4], 6); }
      element.dataset.shapes = String(shapes.getLayers().length);
    }).catch(function () { map.setView([46.6, 2.4], 6); });
})();
