// OTV registration form: the address box (shared address search) fills the position fields; the pin can be moved.
(function () {
  "use strict";
  var form = document.getElementById("otv-form");
  if (!form || !window.L) { return; }
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var mapElement = document.getElementById("otv-map");
  var map = L.map(mapElement, {keyboard: true, zoomSnap: 0.25});
  mapElement.confianceMap = map;
  window.confianceBasemap(map);
  var marker = null;

  function place(lat, lon, zoom) {
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon], {draggable: true}).addTo(map); }
    marker.off("dragend").on("dragend", function () { var p = marker.getLatLng(); place(p.lat, p.lng, false); });
    if (zoom) { map.setView([lat, lon], 18); }
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
  }

  fetch(form.dataset.territoryUrl).then(function (r) { return r.json(); }).then(function (collection) {
    var layer = L.geoJSON(collection, {style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.04}}).addTo(map);
    if (latInput.value && lonInput.value) {
      place(parseFloat(latInput.value), parseFloat(lonInput.value), true);
    } else if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), {padding: [10, 10]});
    } else {
      map.setView([46.6, 2.4], 6);
    }
  });
  map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (!isNaN(lat) && !isNaN(lon)) { place(lat, lon, true); }
    });
  });
})();
