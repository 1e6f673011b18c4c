// The referent's observation form: a map of their sector where a tap (or the address box, or the phone's
// position) places the pin and fills the latitude and longitude fields. Text only reaches the page via textContent.
(function () {
  "use strict";
  var form = document.getElementById("observation-form");
  if (!form || !window.L) { return; }
  var labels = document.getElementById("map-labels").dataset;
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var status = document.getElementById("locate-status");
  var map = L.map(document.getElementById("observation-map"), {keyboard: true, zoomSnap: 0.25});
  window.confianceBasemap(map);
  var marker = null;
  var sector = JSON.parse(document.getElementById("sector-geometry").textContent || "null");
  var outline = sector ? L.geoJSON(sector, {style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.05}}).addTo(map) : null;

  function place(lat, lon, zoom) {
    if (!isFinite(lat) || !isFinite(lon)) { return; }
    if (marker) { marker.setLatLng([lat, lon]); } else {
      marker = L.marker([lat, lon], {draggable: true}).addTo(map);
      marker.on("dragend", function () { var p = marker.getLatLng(); place(p.lat, p.lng, false); });
    }
    if (zoom) { map.setView([lat, lon], 17); }
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
  }

  if (latInput.value && lonInput.value) {
    place(parseFloat(latInput.value), parseFloat(lonInput.value), true);
  } else if (outline && outline.getLayers().length) {
    map.fitBounds(outline.getBounds(), {padding: [10, 10]});
  } else {
    map.setView([parseFloat(form.dataset.lat) || 46.6, parseFloat(form.dataset.lon) || 2.4], 15);
  }
  map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () {  // the address box fills both, then fires "change"
      place(parseFloat(latInput.value), parseFloat(lonInput.value), true);
    });
  });
  document.getElementById("locate-me").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = labels.noGeoloc; return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      place(position.coords.latitude, position.coords.longitude, true);
      status.textContent = labels.located;
    }, function () { status.textContent = labels.noGeoloc; }, {enableHighAccuracy: true, timeout: 10000});
  });
})();
