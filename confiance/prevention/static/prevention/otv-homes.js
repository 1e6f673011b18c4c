// Homes to watch: numbered markers in tour order on the shared base map (text only, never HTML).
(function () {
  "use strict";
  var element = document.getElementById("otv-homes-map");
  var data = document.getElementById("otv-points");
  if (!element || !data || !window.L) { return; }
  var points = JSON.parse(data.textContent || "[]") || [];
  var map = L.map(element, {keyboard: true, zoomSnap: 0.25});
  window.confianceBasemap(map);
  if (!points.length) { map.setView([46.6, 2.4], 6); return; }
  var line = [];
  points.forEach(function (point) {
    var marker = L.circleMarker([point.lat, point.lon], {radius: 8, color: point.visited ? "#1d6b2f" : "#b3261e",
                                                         fillOpacity: 0.8}).addTo(map);
    var tip = document.createElement("span");
    tip.textContent = point.label;
    marker.bindTooltip(tip);
    line.push([point.lat, point.lon]);
  });
  // The tour's order, only when one was computed (a sector).
  if (element.dataset.tour && line.length > 1) {
    L.polyline(line, {color: "#1d3b8f", weight: 2, dashArray: "4 6"}).addTo(map);
  }
  map.fitBounds(L.latLngBounds(line), {padding: [20, 20], maxZoom: 17});
})();
