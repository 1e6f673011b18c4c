// The console's cameras layer: every camera of the agent's communes, coloured by its authorisation's state
// (expired ones flagged), direction as a wedge; a click opens the camera's page. No stream link is ever drawn here.
(function () {
  "use strict";
  var C = window.confianceConsole;
  var root = document.getElementById("camera-console");
  if (!root || !C || !C.map) { return; }
  var labels = root.dataset;
  var STATES = ["valid", "expiring", "expired"];
  var layer = L.layerGroup().addTo(C.map);
  if (C.layerControl) { C.layerControl.addOverlay(layer, labels.layer); }

  function stateClass(state) { return "auth-" + (STATES.indexOf(state) >= 0 ? state : "valid"); }
  function title(camera) {
    var parts = [camera.name, camera.commune, camera.state_label];
    if (camera.authorised) { parts.push(labels.authorised); }
    return parts.join(" — ");
  }
  function wedge(camera) {
    var metres = camera.range_m || 40, half = (camera.angle_deg || 60) / 2, points = [[camera.lat, camera.lon]];
    var steps = 6, lat = camera.lat;
    for (var i = 0; i <= steps; i += 1) {
      var angle = (camera.direction_deg - half + i * (2 * half / steps)) * Math.PI / 180;
      points.push([lat + metres * Math.cos(angle) / 111320,
        camera.lon + metres * Math.sin(angle) / (111320 * Math.cos(lat * Math.PI / 180))]);
    }
    return L.polygon(points, {weight: 1, color: "#1f5fa8", fillOpacity: 0.12, interactive: false});
  }
  function draw(camera) {
    var marker = L.marker([camera.lat, camera.lon], {title: title(camera), alt: camera.name, keyboard: true,
      icon: L.divIcon({className: "camera-icon " + stateClass(camera.state), iconSize: [22, 22],
        iconAnchor: [11, 11], html: "<span></span>"})});
    var text = document.createElement("span");
    text.textContent = title(camera);
    marker.bindTooltip(text);
    marker.on("click", function () { window.location.href = camera.detail; });
    layer.addLayer(marker);
    if (typeof camera.direction_deg === "number") { layer.addLayer(wedge(camera)); }
  }
  fetch(labels.state, {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
    .then(function (data) {
      (data.cameras || []).forEach(draw);
      root.dataset.markers = String((data.cameras || []).length);
    }).catch(function () { root.dataset.markers = "0"; });
})();
