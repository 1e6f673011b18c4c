// One sensor: the chart of a quantity over a period (aggregates), refreshed every minute; its state kept live.
(function () {
  "use strict";
  var S = window.confianceSensors;
  var box = document.getElementById("device-chart");
  var labels = box.dataset;
  var quantity = document.getElementById("d-quantity");
  var period = document.getElementById("d-period");
  var graph = S.chart(document.getElementById("device-canvas"), document.getElementById("device-chart-empty"),
    box.dataset.url, {mean: labels.mean, min: labels.min, max: labels.max});
  function load() {
    return graph.load({grandeur: quantity.value, periode: period.value}).then(function () { box.dataset.loaded = "1"; });
  }
  quantity.addEventListener("change", load);
  period.addEventListener("change", load);
  load();
  window.setInterval(load, 60000);

  var mapElement = document.getElementById("device-map");
  if (mapElement && window.L) {
    var device = JSON.parse(document.getElementById("device-data").textContent);
    var map = S.baseMap(mapElement);
    var marker = S.marker(device).addTo(map);
    map.setView([device.lat, device.lon], 14);
    S.outlines(map, mapElement.dataset.territory);
    if (window.EventSource) {
      var source = new EventSource("/live/events");
      source.addEventListener("devices.device_state", function (message) {
        var p = JSON.parse(message.data).payload || {};
        if ((p.device_id || p.id) !== device.id) { return; }
        device.state = p.state; device.state_label = p.state_label;
        S.update(marker, device);
        var badge = document.getElementById("device-state");
        badge.className = "badge " + S.stateClass(p.state); badge.textContent = p.state_label;
      });
      source.addEventListener("devices.alarm", function (message) {
        var p = JSON.parse(message.data).payload || {};
        if ((p.device_id || (p.device && p.device.id)) === device.id) {
          document.getElementById("device-alarm-news").hidden = false;
        }
      });
    }
  }
})();
