// Alert subscription form: a map with the territory, a pin placed by touch, by the address box or dragged.
(function () {
  "use strict";
  var mapElement = document.getElementById("subscribe-map");
  if (!mapElement || !window.L) { return; }
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var map = L.map(mapElement, {keyboard: true, zoomSnap: 0.25});
  if (window.confianceBasemap) { window.confianceBasemap(map); }
  map.setView([48.55, 2.42], 12);
  var marker = null;
  function place(lat, lon) {
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon], {draggable: true}).addTo(map); }
    marker.off("dragend").on("dragend", function () { var p = marker.getLatLng(); place(p.lat, p.lng); });
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
  }
  map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng); });
  function fromInputs() {
    var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
    if (isFinite(lat) && isFinite(lon)) { place(lat, lon); map.setView([lat, lon], 16); }
  }
  latInput.addEventListener("change", fromInputs);
  lonInput.addEventListener("change", fromInputs);
  fromInputs();
})();
