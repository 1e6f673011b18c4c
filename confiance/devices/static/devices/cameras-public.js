// The public page's map: the commune's cameras from its GeoJSON, coloured by the authorisation's state, with the
// direction each one looks (a symbolic wedge: neither its real angle nor its range is published). Text as text.
(function () {
  "use strict";
  var element = document.getElementById("cameras-map");
  if (!element || !window.L) { return; }
  var labels = element.dataset;
  var STATES = ["valid", "expiring", "expired"];
  var map = L.map(element, {keyboard: true});
  window.confianceBasemap(map);
  var group = L.featureGroup().addTo(map);

  function stateClass(state) { return "auth-" + (STATES.indexOf(state) >= 0 ? state : "valid"); }
  function icon(state) {
    return L.divIcon({className: "camera-icon " + stateClass(state), iconSize: [22, 22], iconAnchor: [11, 11],
      html: "<span></span>"});
  }
  function wedge(lat, lon, direction) {
    var metres = 35, half = 25, points = [[lat, lon]];
    for (var step = -half; step <= half; step += 10) {
      var angle = (direction + step) * Math.PI / 180;
      points.push([lat + metres * Math.cos(angle) / 111320, lon + metres * Math.sin(angle) / (111320 * Math.cos(lat * Math.PI / 180))]);
    }
    return L.polygon(points, {weight: 1, color: "#1f5fa8", fillOpacity: 0.15, interactive: false});
  }
  function tooltipText(p) {
    var parts = [p.number + ". " + p.name];
    if (p.address) { parts.push(p.address); }
    parts.push(labels.retention + " " + p.retention_days + " " + labels.days);
    if (p.expired) { parts.push(labels.expired); }
    return parts.join(" — ");
  }
  function draw(collection) {
    (collection.features || []).forEach(function (feature) {
      var p = feature.properties || {}, c = feature.geometry.coordinates;
      var marker = L.marker([c[1], c[0]], {icon: icon(p.state), title: tooltipText(p), alt: p.name, keyboard: true});
      var text = document.createElement("span");
      text.textContent = tooltipText(p);
      marker.bindTooltip(text);
      group.addLayer(marker);
      if (typeof p.direction_deg === "number") { group.addLayer(wedge(c[1], c[0], p.direction_deg)); }
    });
    if (group.getLayers().length) { map.fitBounds(group.getBounds().pad(0.15), {maxZoom: 16}); }
    else { map.setView([46.6, 2.4], 6); }
    element.dataset.markers = String(collection.features ? collection.features.length : 0);
  }
  fetch(labels.cameras, {credentials: "same-origin"}).then(function (response) {
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json();
  }).then(draw).catch(function () { map.setView([46.6, 2.4], 6); });
})();
