// Public map of reports: the territory's outline, one marker per report of the filtered list, a link to its page.
(function () {
  "use strict";
  var mapElement = document.getElementById("public-map");
  if (!mapElement || !window.L) { return; }
  // Four groups of states, as the legend under the map names them.
  var colours = {nouveau: "#b00020", a_traiter: "#1d3b8f", programme: "#1d3b8f", en_cours: "#1d3b8f",
    transfere: "#1d3b8f", service_fait: "#1b7a36", clos: "#1b7a36", rejete: "#6b6f78", doublon: "#6b6f78"};
  // zoomSnap: a quarter step, so the territory (or the markers) fills the frame instead of the zoom below it.
  var map = L.map(mapElement, {keyboard: true, zoomSnap: 0.25});
  window.confianceBasemap(map);  // the shared base: tiles, or the platform's own streets
  var markers = L.featureGroup().addTo(map);

  function addPoint(p) {
    var marker = L.circleMarker([p.lat, p.lon], {radius: 6, weight: 1, color: "#222",
      fillColor: colours[p.status] || "#333", fillOpacity: 0.85});
    var tip = document.createElement("span");  // Leaflet writes a string as HTML: give it the text
    tip.textContent = "n° " + p.id + " — " + (p.category || "") + " — " + (p.status_label || "");
    marker.bindTooltip(tip);
    marker.on("click", function () { window.location.href = p.url; });
    markers.addLayer(marker);
  }

  fetch(mapElement.dataset.territory).then(function (r) { return r.json(); }).then(function (collection) {
    var outline = L.geoJSON(collection, {style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.03}}).addTo(map);
    return fetch(mapElement.dataset.points).then(function (r) { return r.ok ? r.json() : {reports: []}; })
      .then(function (data) {
        data.reports.forEach(addPoint);
        if (data.reports.length) { map.fitBounds(markers.getBounds(), {maxZoom: 16, padding: [20, 20]}); }
        else if (outline.getLayers().length) { map.fitBounds(outline.getBounds(), {padding: [10, 10]}); }
        else { map.setView([46.6, 2.4], 6); }
        mapElement.dataset.loaded = String(data.reports.length);
      });
  });
})();
