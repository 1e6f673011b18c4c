// Agents' report list: map of the filtered reports, map-extent filter, live rows by SSE.
(function () {
  "use strict";
  var mapElement = document.getElementById("reports-map");
  var body = document.getElementById("reports-body");
  var statusLabels = JSON.parse(document.getElementById("status-labels").textContent);
  var rowLabels = document.getElementById("row-labels").dataset;
  var canSelect = !!document.querySelector("#bulk-form input[name=ids]") || !!document.getElementById("bulk-action");
  var colours = {nouveau: "#b00020", a_traiter: "#b35900", programme: "#6a3d9a", en_cours: "#1d3b8f",
    transfere: "#555", service_fait: "#1b7a36", rejete: "#444", doublon: "#777", clos: "#1b7a36"};
  var map = null;
  var markers = null;
  var bulkForm = document.getElementById("bulk-form");
  var bulkCount = document.getElementById("bulk-count");

  function countSelected() {  // how many reports the bulk action would take, said before the confirmation step
    var n = bulkForm.querySelectorAll("input[name=ids]:checked").length;
    var words = bulkCount.dataset;
    bulkCount.textContent = n === 0 ? words.none : (n === 1 ? words.one : words.many.replace("%(n)s", String(n)));
  }
  if (bulkForm && bulkCount) { bulkForm.addEventListener("change", countSelected); countSelected(); }

  function addPoint(p) {
    var marker = L.circleMarker([p.lat, p.lon], {radius: p.overdue ? 7 : 5, weight: p.overdue ? 3 : 1,
      color: p.overdue ? "#000" : colours[p.status] || "#333", fillColor: colours[p.status] || "#333", fillOpacity: 0.8});
    var tip = document.createElement("span");  // Leaflet writes a string as HTML: give it the text
    tip.textContent = "n° " + p.id + " — " + (p.category || "") + " — " + (statusLabels[p.status] || p.status);
    marker.bindTooltip(tip);
    marker.on("click", function () { window.location.href = p.id + "/"; });
    markers.addLayer(marker);
  }

  if (mapElement && window.L) {
    map = L.map(mapElement, {keyboard: true});
    window.confianceBasemap(map);
    markers = L.layerGroup().addTo(map);
    var bboxInput = document.getElementById("f-bbox");
    var bboxToggle = document.querySelector("[data-bbox-toggle]");
    fetch(mapElement.dataset.territory).then(function (r) { return r.json(); }).then(function (collection) {
      var outline = L.geoJSON(collection, {style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.03}}).addTo(map);
      if (bboxInput.value) {
        var b = bboxInput.value.split(",").map(parseFloat);
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
      } else if (outline.getLayers().length) { map.fitBounds(outline.getBounds()); } else { map.setView([46.6, 2.4], 6); }
      return fetch(mapElement.dataset.points, {credentials: "same-origin"});
    }).then(function (r) { return r.json(); }).then(function (data) {
      data.reports.forEach(addPoint);
      mapElement.dataset.loaded = String(data.reports.length);
    });
    function syncBbox() {
      if (!bboxToggle.checked) { bboxInput.value = ""; return; }
      var b = map.getBounds();
      bboxInput.value = [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (v) { return v.toFixed(5); }).join(",");
    }
    bboxToggle.addEventListener("change", syncBbox);
    map.on("moveend", function () { if (bboxToggle.checked) { syncBbox(); } });
  }

  if (!body || !window.EventSource) { return; }
  var status = document.getElementById("live-status");
  var source = new EventSource("/live/events");
  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }
  source.addEventListener("reports.created", function (message) {
    var p = JSON.parse(message.data).payload;
    if (body.querySelector("tr[data-report='" + p.report_id + "']")) { return; }
    var row = document.createElement("tr");
    row.dataset.report = p.report_id;
    row.className = "live-new";
    if (canSelect) {
      var td = document.createElement("td");
      var box = document.createElement("input");
      box.type = "checkbox"; box.name = "ids"; box.value = p.report_id;
      box.setAttribute("aria-label", "n° " + p.report_id);
      td.appendChild(box); row.appendChild(td);
    }
    var link = document.createElement("a");
    link.href = p.report_id + "/"; link.textContent = p.report_id;
    var idCell = document.createElement("td"); idCell.appendChild(link); row.appendChild(idCell);
    row.appendChild(cell(new Date(p.created_at).toLocaleString(document.documentElement.lang, {timeZone: "Europe/Paris"})));
    row.appendChild(cell(p.category)); row.appendChild(cell(p.commune)); row.appendChild(cell(p.address || "—"));
    var statusCell = document.createElement("td");
    var badge = document.createElement("span");
    badge.className = "badge status-" + p.status; badge.dataset.status = ""; badge.textContent = p.status_label;
    statusCell.appendChild(badge);
    statusCell.appendChild(document.createTextNode(" " + rowLabels["new"]));
    row.appendChild(statusCell); row.appendChild(cell("—"));
    body.insertBefore(row, body.firstChild);
    if (markers) { addPoint({id: p.report_id, lat: p.lat, lon: p.lon, status: p.status, category: p.category}); }
  });
  source.addEventListener("reports.status_changed", function (message) {
    var p = JSON.parse(message.data).payload;
    var badge = body.querySelector("tr[data-report='" + p.report_id + "'] [data-status]");
    if (badge) { badge.textContent = p.status_label; badge.className = "badge status-" + p.status; }
  });
  source.addEventListener("reports.overdue", function (message) {
    var p = JSON.parse(message.data).payload;
    var row = body.querySelector("tr[data-report='" + p.report_id + "']");
    if (row && !row.classList.contains("overdue")) {
      row.classList.add("overdue");
      var flag = document.createElement("strong");
      flag.className = "overdue-flag"; flag.textContent = " " + rowLabels.overdue;
      row.lastElementChild.appendChild(flag);
    }
  });
  source.addEventListener("reset", function () { window.location.reload(); });
  source.onopen = function () { status.textContent = status.dataset.connected; };
  source.onerror = function () { status.textContent = status.dataset.disconnected; };
})();
