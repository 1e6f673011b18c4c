// Field page: mission map, milestone and status buttons, position sharing (browser geolocation).
(function () {
  "use strict";
  var card = document.getElementById("f-unit");
  if (!card) { return; }
  var unitId = card.dataset.unit;
  var labels = document.getElementById("field-labels").dataset;
  var message = document.getElementById("f-message");

  function post(path, body) { return window.confianceApi("POST", "operations/" + path, body); }
  function say(text) { message.textContent = text; }

  var mapElement = document.getElementById("f-map");
  if (mapElement && window.L) {
    var target = [parseFloat(mapElement.dataset.lat), parseFloat(mapElement.dataset.lon)];
    var map = L.map(mapElement).setView(target, 16);
    window.confianceBasemap(map);
    L.marker(target).addTo(map);
  }

  document.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      var assignment = button.closest("[data-assignment]").dataset.assignment;
      post("assignments/" + assignment + "/milestone", {step: button.dataset.step}).then(function () {
        say(labels.saved);
        window.location.reload();
      }).catch(function (error) { say(error.message); });
    });
  });
  document.querySelectorAll("[data-status]").forEach(function (button) {
    button.addEventListener("click", function () {
      post("units/" + unitId + "/status", {status_code: button.dataset.status}).then(function (unit) {
        document.getElementById("f-status").textContent = unit.status_code + " · " + unit.status_label;
        document.querySelectorAll("[data-status]").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        say(labels.saved);
      }).catch(function (error) { say(error.message); });
    });
  });

  var share = document.getElementById("f-share");
  var watch = null;
  var lastSent = 0;
  share.addEventListener("click", function () {
    if (watch !== null) {
      navigator.geolocation.clearWatch(watch); watch = null;
      share.textContent = labels.stopped; share.setAttribute("aria-pressed", "false");
      return;
    }
    if (!navigator.geolocation) { say(labels.unavailable); return; }
    share.textContent = labels.stop; share.setAttribute("aria-pressed", "true");
    watch = navigator.geolocation.watchPosition(function (position) {
      var now = Date.now();
      if (now - lastSent < 10000) { return; }
      lastSent = now;
      post("units/" + unitId + "/position", {lat: position.coords.latitude, lon: position.coords.longitude,
        accuracy_m: position.coords.accuracy, recorded_at: new Date(position.timestamp).toISOString(),
        speed_kmh: position.coords.speed === null ? null : position.coords.speed * 3.6})
        .then(function () {
          document.getElementById("f-position").textContent = labels.sent + " " +
            new Date().toLocaleTimeString(document.documentElement.lang);
        }).catch(function (error) { say(error.message); });
    }, function () { say(labels.unavailable); }, {enableHighAccuracy: true, maximumAge: 5000});
  });
})();
