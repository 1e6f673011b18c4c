// The sensors page: the map of the listed sensors coloured by state, kept current by the live events.
(function () {
  "use strict";
  var S = window.confianceSensors;
  var element = document.getElementById("devices-map");
  if (!element || !window.L) { return; }
  var devices = JSON.parse(document.getElementById("devices-data").textContent);
  var legendItems = JSON.parse(document.getElementById("devices-legend").textContent);
  var map = S.baseMap(element);
  var markers = {};
  var group = L.featureGroup().addTo(map);
  devices.forEach(function (device) {
    var item = markers[device.id] = S.marker(device);
    item.on("click", function () { window.location.href = element.dataset.detail.replace("/0/", "/" + device.id + "/"); });
    group.addLayer(item);
  });
  S.legend(map, legendItems, element.dataset.legendTitle);
  S.outlines(map, element.dataset.territory, function (outline) {
    // The communes in view, so that sensors are seen where they stand; the sensors alone when no outline exists.
    var bounds = outline.getLayers().length ? outline.getBounds() : null;
    if (group.getLayers().length) { bounds = bounds ? bounds.extend(group.getBounds()) : group.getBounds().pad(0.3); }
    if (bounds) { map.fitBounds(bounds, {maxZoom: 15}); } else { map.setView([46.6, 2.4], 6); }
    element.dataset.markers = String(group.getLayers().length);
  });

  function setState(deviceId, state, label) {
    var device = devices.filter(function (d) { return d.id === deviceId; })[0];
    if (!device) { return; }
    device.state = state; device.state_label = label;
    S.update(markers[deviceId], device);
    var badge = document.querySelector("tr[data-device='" + deviceId + "'] .badge");
    if (badge) { badge.className = "badge " + S.stateClass(state); badge.textContent = label; }
  }
  if (window.EventSource) {
    var source = new EventSource("/live/events");
    source.addEventListener("devices.device_state", function (message) {
      var p = JSON.parse(message.data).payload || {};
      setState(p.device_id || p.id, p.state, p.state_label);
    });
    source.addEventListener("reset", function () { window.location.reload(); });
  }
})();
