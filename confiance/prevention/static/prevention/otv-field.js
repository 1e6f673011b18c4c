// Field panel: the phone's position, when the agent allows it, goes with each passage noted.
(function () {
  "use strict";
  var status = document.getElementById("otv-position-status");
  var labels = document.getElementById("otv-field-labels");
  if (!status || !labels || !navigator.geolocation || !document.querySelector("[data-position]")) { return; }
  navigator.geolocation.getCurrentPosition(function (position) {
    document.querySelectorAll("[data-position=lat]").forEach(function (input) {
      input.value = position.coords.latitude.toFixed(6);
    });
    document.querySelectorAll("[data-position=lon]").forEach(function (input) {
      input.value = position.coords.longitude.toFixed(6);
    });
    status.textContent = labels.dataset.located;
  }, function () { status.textContent = labels.dataset.unavailable; }, {enableHighAccuracy: true, timeout: 10000});
})();
