// Police page of Participation citoyenne: the observations on a map and in a table, new ones arriving live
// (SSE /live/events, family "prevention.participation."). Every text reaches the page through textContent.
(function () {
  "use strict";
  var mapElement = document.getElementById("obs-map");
  if (!mapElement || !window.L) { return; }
  var rows = JSON.parse(document.getElementById("obs-data").textContent || "[]");
  var labels = document.getElementById("obs-labels").dataset;
  var body = document.getElementById("obs-rows");
  var live = document.getElementById("obs-live");
  var map = L.map(mapElement, {keyboard: true, zoomSnap: 0.25});
  window.confianceBasemap(map);
  var layer = L.featureGroup().addTo(map);

  function urlOf(id) { return labels.url.replace(/0\/$/, String(id) + "/"); }

  function marker(row) {
    var m = L.circleMarker([row.lat, row.lon], {radius: 7, color: "#b3261e", weight: 2, fillOpacity: 0.6});
    var text = document.createElement("span");
    text.textContent = row.kind + (row.address ? " — " + row.address : "");
    m.bindPopup(text);
    m.addTo(layer);
  }

  function cell(tr, text, href) {
    var td = document.createElement("td");
    if (href) { var a = document.createElement("a"); a.href = href; a.textContent = text; td.appendChild(a); }
    else { td.textContent = text; }
    tr.appendChild(td);
  }

  rows.forEach(marker);
  if (rows.length) { map.fitBounds(layer.getBounds(), {padding: [20, 20], maxZoom: 16}); }
  else { map.setView([48.566, 2.437], 13); }

  if (!window.EventSource) { return; }
  var source = new EventSource("/live/events");
  source.addEventListener("prevention.participation.observation", function (message) {
    var p = (JSON.parse(message.data).payload) || {};
    var empty = document.getElementById("obs-empty");
    if (empty) { empty.remove(); }
    var tr = document.createElement("tr");
    tr.className = "new";
    var at = new Date(p.occurred_at).toLocaleString(document.documentElement.lang,
      {timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short"});
    cell(tr, p.kind_label, urlOf(p.observation_id));
    cell(tr, at);
    cell(tr, p.sector + (p.address ? " — " + p.address : ""));
    cell(tr, p.vehicle || "—");
    cell(tr, labels.received);
    tr.setAttribute("data-observation", String(p.observation_id));
    body.insertBefore(tr, body.firstChild);
    marker({lat: p.lat, lon: p.lon, kind: p.kind_label, address: p.address});
    map.panTo([p.lat, p.lon]);
  });
  source.addEventListener("reset", function () { window.location.reload(); });
  source.onopen = function () { live.textContent = live.dataset.connected; };
  source.onerror = function () { live.textContent = live.dataset.disconnected; };
})();
