// Live console: units moving on the map, open interventions, dispatch from the recommendation, SSE updates.
(function () {
  "use strict";
  var mapElement = document.getElementById("ops-map");
  var labels = document.getElementById("ops-labels").dataset;
  var types = JSON.parse(document.getElementById("ops-types").textContent);
  var milestones = JSON.parse(document.getElementById("ops-milestones").textContent);
  var canDispatch = labels.canDispatch === "1";
  var state = {units: {}, interventions: {}, selected: null, recommendation: [], commune: "", sound: false};
  function fitToScreen() {  // the map and the side panel end at the bottom of the window, whatever the header's height
    var top = mapElement.getBoundingClientRect().top + window.scrollY;
    document.documentElement.style.setProperty("--console-top", Math.round(top) + "px");
  }
  fitToScreen();
  var map = L.map(mapElement, {keyboard: true});
  window.addEventListener("resize", function () { fitToScreen(); map.invalidateSize(); scheduleDeclutter(); });
  var head = document.querySelector(".console-head");
  if (head && window.ResizeObserver) {  // the header grows when late styles arrive or its controls wrap
    new ResizeObserver(function () { fitToScreen(); map.invalidateSize(); }).observe(head);
  }
  window.confianceBasemap(map);
  var layers = {units: L.layerGroup().addTo(map), interventions: L.layerGroup().addTo(map),
    log: L.layerGroup().addTo(map), reports: L.layerGroup().addTo(map)};
  var overlays = {};
  overlays[labels.layerUnits] = layers.units;
  overlays[labels.layerInterventions] = layers.interventions;
  overlays[labels.layerLog] = layers.log;
  overlays[labels.layerReports] = layers.reports;
  var layerControl = L.control.layers(null, overlays, {collapsed: true}).addTo(map);
  var liveHandlers = [];  // [type, handler] registered by the console's other layers (the sensors layer)
  var markers = {units: {}, interventions: {}};
  var pending = null;  // marker of the intervention being created
  var recommendToken = 0, recordToken = 0;  // only the latest answer of each is drawn

  function call(method, path, body) { return window.confianceApi(method, "operations/" + path, body); }
  function visible(item) { return !state.commune || String(item.commune_id) === state.commune; }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function tip(text) {  // Leaflet writes a string as HTML: tooltips get an element holding the text.
    var node = document.createElement("span"); node.textContent = text; return node;
  }
  function dateTime(iso) {
    return new Date(iso).toLocaleString(document.documentElement.lang, {day: "2-digit", month: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: "Europe/Paris"});
  }
  function time(iso) {
    return new Date(iso).toLocaleTimeString(document.documentElement.lang, {hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/Paris"});
  }
  function dateTime(iso) {  // "01/12 14:05": the logbook list spans several days
    return new Date(iso).toLocaleString(document.documentElement.lang, {day: "2-digit", month: "2-digit",
      hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris"});
  }

  // --- Units ---------------------------------------------------------------------------------
  function unitIcon(unit) {
    // Built as elements: the unit's name is text, its colour a style property (no HTML, no style attribute).
    var html = el("div");
    var swatch = el("span");
    swatch.style.background = unit.color;
    html.appendChild(swatch);
    html.appendChild(document.createTextNode(unit.name));
    return L.divIcon({className: "unit-icon" + (unit.stale ? " stale" : ""), iconSize: null, html: html});
  }
  function statusText(unit) {  // the status in words; the commune's radio code only as an explanation
    return unit.status_label + " (" + labels.code + " " + unit.status_code + ")";
  }
  function drawUnit(unit) {
    state.units[unit.id] = Object.assign(state.units[unit.id] || {}, unit);
    unit = state.units[unit.id];
    var marker = markers.units[unit.id];
    if (unit.lat === null || !visible(unit)) {
      if (marker) { layers.units.removeLayer(marker); delete markers.units[unit.id]; }
      return;
    }
    if (!marker) {
      marker = markers.units[unit.id] = L.marker([unit.lat, unit.lon], {icon: unitIcon(unit), keyboard: false});
      layers.units.addLayer(marker);
    } else {
      marker.setLatLng([unit.lat, unit.lon]);
      marker.setIcon(unitIcon(unit));
    }
    marker.bindTooltip(tip(unit.name + " — " + statusText(unit) + (unit.stale ? " — " + labels.stale : "")));
    scheduleDeclutter();
  }
  function listUnits() {
    var list = document.getElementById("c-units");
    list.textContent = "";
    Object.values(state.units).filter(visible).sort(function (a, b) { return a.name.localeCompare(b.name); })
      .forEach(function (unit) {
        var item = el("li");
        item.dataset.unit = unit.id;
        var swatch = el("span", "", "swatch");
        swatch.style.background = unit.color;
        item.appendChild(swatch);
        item.appendChild(el("strong", unit.name + " "));
        var statusSpan = el("span", unit.status_label);
        statusSpan.title = statusText(unit);
        item.appendChild(statusSpan);
        if (unit.assignment) { item.appendChild(el("span", " · " + labels.engagedOn + " " + unit.assignment.intervention_number)); }
        if (unit.stale) { item.appendChild(el("span", " · " + labels.stale, "badge warn")); }
        if (canDispatch) { item.appendChild(statusControl(unit)); }
        list.appendChild(item);
      });
    legendUnits();
  }
  // The status menu of one unit stays open while live events redraw the list (state.editing: that unit's options).
  function statusControl(unit) {
    var box = el("span", null, "status-change");
    if (state.editing && state.editing.unitId === unit.id) {
      var select = el("select");
      select.id = "c-status-select";
      select.setAttribute("aria-label", labels.statusOf + " " + unit.name);
      state.editing.options.forEach(function (option) {
        var node = el("option", option.label + " (" + labels.code + " " + option.code + ")");
        node.value = option.code;
        node.selected = option.code === (state.editing.chosen || unit.status_code);
        select.appendChild(node);
      });
      select.addEventListener("change", function () { state.editing.chosen = select.value; });
      var apply = el("button", labels.applyStatus, "button primary small");
      apply.type = "button";
      apply.addEventListener("click", function () { setStatus(unit.id, select.value); });
      var cancel = el("button", labels.cancel, "button small");
      cancel.type = "button";
      cancel.addEventListener("click", function () { state.editing = null; listUnits(); });
      box.appendChild(select); box.appendChild(apply); box.appendChild(cancel);
      return box;
    }
    var open = el("button", labels.changeStatus, "button small");
    open.type = "button";
    open.setAttribute("aria-label", labels.changeStatus + " : " + unit.name);
    open.addEventListener("click", function () {
      call("GET", "units/" + unit.id + "/statuses").then(function (options) {
        state.editing = {unitId: unit.id, options: options, chosen: null};
        listUnits();
        var select = document.getElementById("c-status-select");
        if (select) { select.focus(); }
      }).catch(showStatusError);
    });
    box.appendChild(open);
    return box;
  }
  function showStatusError(error) {
    var box = document.getElementById("c-status-error");
    box.textContent = error.message; box.hidden = false;
  }
  function setStatus(unitId, code) {
    document.getElementById("c-status-error").hidden = true;
    call("POST", "units/" + unitId + "/status", {status_code: code}).then(function (unit) {
      state.editing = null;
      drawUnit(unit); listUnits();
      announce(labels.statusChanged + " : " + unit.name + " — " + unit.status_label);
      if (state.selected) { recommend(state.selected); }
    }).catch(showStatusError);
  }

  // --- Interventions -------------------------------------------------------------------------
  function drawIntervention(row) {
    state.interventions[row.id] = Object.assign(state.interventions[row.id] || {}, row);
    row = state.interventions[row.id];
    var marker = markers.interventions[row.id];
    if (row.status === "clos" || !visible(row)) {
      if (marker) { layers.interventions.removeLayer(marker); delete markers.interventions[row.id]; }
      if (row.status === "clos") { delete state.interventions[row.id]; }
      return;
    }
    if (!marker) {
      marker = markers.interventions[row.id] = L.marker([row.lat, row.lon], {keyboard: false,
        icon: L.divIcon({className: "intervention-icon p" + row.priority, iconSize: null, html: el("span", String(row.priority))})});
      marker.on("click", function () { select(row.id); });
      layers.interventions.addLayer(marker);
    }
    marker.bindTooltip(tip(row.number + " — " + row.type + " — " + labels.priority + " " + row.priority_label.toLowerCase() +
      (row.address ? " — " + row.address : "")));
    scheduleDeclutter();
  }
  function sortedInterventions() {
    return Object.values(state.interventions).filter(visible).sort(function (a, b) {
      return a.priority - b.priority || (a.created_at < b.created_at ? 1 : -1);
    });
  }
  function listInterventions() {
    var list = document.getElementById("c-interventions");
    list.textContent = "";
    var rows = sortedInterventions();
    document.getElementById("c-int-count").textContent = rows.length;
    rows.forEach(function (row) {
      var item = el("li");
      var button = el("button", "", "link-button intervention-row p" + row.priority);
      button.type = "button";
      button.setAttribute("aria-pressed", state.selected === row.id ? "true" : "false");
      button.appendChild(el("strong", row.number + " "));
      button.appendChild(el("span", row.priority_label + " · " + row.type + " · " + row.commune + " · " + row.status_label));
      button.addEventListener("click", function () { select(row.id); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }
  function select(id) {
    var row = state.interventions[id];
    if (!row) { return; }
    state.selected = id;
    listInterventions();
    var detail = document.getElementById("c-detail");
    detail.hidden = false;
    document.getElementById("c-detail-title").textContent = row.number + " — " + row.type;
    document.getElementById("c-detail-body").textContent = [row.priority_label, row.status_label, row.address,
      row.description].filter(Boolean).join(" · ");
    document.getElementById("c-engage-error").hidden = true;
    document.getElementById("c-sheet").href = "/api/v1/operations/interventions/" + id + "/sheet.pdf";
    map.panTo([row.lat, row.lon]);
    recommend(id);
    loadRecord(id);
  }
  function loadRecord(id) {
    var token = ++recordToken;
    call("GET", "interventions/" + id + "/record").then(function (record) {
      if (token !== recordToken || state.selected !== id) { return; }  // an older answer: drop it
      var caller = document.getElementById("c-caller");
      caller.hidden = false;
      if (record.caller === null) {
        caller.textContent = labels.callerHidden;
      } else {
        caller.textContent = labels.caller + " : " + (record.caller.name || labels.callerNone) +
          (record.caller.phone ? " — " + labels.phone + " " + record.caller.phone : "");
      }
      var list = document.getElementById("c-chronology");
      list.textContent = "";
      record.chronology.forEach(function (event) {
        var item = el("li", null, "chrono-" + event.kind);
        item.appendChild(el("time", event.at ? dateTime(event.at) : labels.timeUnknown));
        if (event.at) { item.lastChild.dateTime = event.at; }
        item.appendChild(el("strong", " " + event.label + " "));
        item.appendChild(el("span", event.text));
        list.appendChild(item);
      });
    });
  }
  function recommend(id) {
    // Several calls can be in flight (selection, live events, an engagement): only the latest one draws, and it
    // empties the list when it draws, so the list is never drawn twice.
    var token = ++recommendToken;
    var list = document.getElementById("c-reco");
    call("GET", "interventions/" + id + "/recommendation").then(function (data) {
      if (token !== recommendToken || state.selected !== id) { return; }
      list.textContent = "";
      state.recommendation = data.candidates;
      document.getElementById("c-reco-mode").textContent = data.by_road ? labels.byRoad : labels.straight;
      var none = document.getElementById("c-reco-none");  // a sentence, not item 1 of a numbered list
      none.hidden = data.candidates.length > 0;
      list.hidden = !data.candidates.length;
      data.candidates.forEach(function (candidate, index) {
        var item = el("li");
        item.appendChild(el("strong", candidate.name + " "));
        if (candidate.sharing) {
          item.appendChild(el("span", candidate.sharing_label, "badge sharing sharing-" + candidate.sharing));
          item.appendChild(document.createTextNode(" "));
        }
        item.appendChild(el("span", candidate.reasons.join(" · ")));
        if (canDispatch) {
          var button = el("button", labels.engage + " (" + (index + 1) + ")", "button primary small");
          button.type = "button";
          button.addEventListener("click", function () { engage(id, candidate.unit_id, index + 1, ""); });
          item.appendChild(document.createTextNode(" "));
          item.appendChild(button);
        }
        list.appendChild(item);
      });
      var excluded = document.getElementById("c-excluded");
      excluded.textContent = "";
      data.excluded.forEach(function (row) {
        var item = el("li", row.name + " : " + row.reason);
        if (canDispatch && row.reassignable) {  // engaged on another intervention: never this one, never a pause
          var button = el("button", labels.override, "button small");
          button.type = "button";
          button.addEventListener("click", function () {
            var reason = window.prompt(labels.overridePrompt);
            if (reason) { engage(id, row.unit_id, null, reason); }
          });
          item.appendChild(document.createTextNode(" "));
          item.appendChild(button);
        }
        excluded.appendChild(item);
      });
    });
  }
  function engage(interventionId, unitId, rank, reason) {
    var box = document.getElementById("c-engage-error");
    box.hidden = true;
    call("POST", "interventions/" + interventionId + "/engage",
      {unit_id: unitId, recommended_rank: rank, override_reason: reason || ""}).then(function () {
      recommend(interventionId); loadRecord(interventionId);
    }).catch(function (error) { box.textContent = error.message; box.hidden = false; });
  }
  document.getElementById("c-close").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!state.selected) { return; }
    var box = document.getElementById("c-engage-error");
    var id = state.selected;
    call("POST", "interventions/" + id + "/close", {reason: document.getElementById("x-reason").value})
      .then(function (row) {
        drawIntervention(row); listInterventions();
        document.getElementById("c-detail").hidden = true; state.selected = null;
        announce(labels.closed);
      }).catch(function (error) { box.textContent = error.message; box.hidden = false; });
  });

  // --- New intervention ----------------------------------------------------------------------
  var form = document.getElementById("c-new");
  var communeSelect = document.getElementById("n-commune");
  function fillTypes() {
    var communeId = communeSelect.selectedOptions[0] ? communeSelect.selectedOptions[0].dataset.id : "";
    var select = document.getElementById("n-type");
    select.textContent = "";
    types.filter(function (t) { return String(t.commune_id) === communeId; }).forEach(function (t) {
      var option = el("option", t.label); option.value = t.id; select.appendChild(option);
    });
  }
  communeSelect.addEventListener("change", fillTypes);
  fillTypes();
  function openForm() {
    document.getElementById("c-new-card").hidden = false;
    document.getElementById("n-commune").focus();
  }
  function closeForm() {
    document.getElementById("c-new-card").hidden = true;
    if (pending) { map.removeLayer(pending); pending = null; }
    form.reset(); fillTypes();
    document.getElementById("n-ack-row").hidden = true;
    document.getElementById("c-new-error").hidden = true;
  }
  document.getElementById("c-new-open").addEventListener("click", openForm);
  document.getElementById("c-new-cancel").addEventListener("click", closeForm);
  function placeAt(latlng) {
    document.getElementById("n-lat").value = latlng.lat.toFixed(6);
    document.getElementById("n-lon").value = latlng.lng.toFixed(6);
    document.getElementById("c-new-error").hidden = true;
    if (pending) { pending.setLatLng(latlng); } else { pending = L.marker(latlng).addTo(map); }
    // The commune follows the point (the server refuses a point in another commune).
    fetch("/api/v1/territory/locate?lat=" + latlng.lat + "&lon=" + latlng.lng, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (place) {
        if (!place || !place.commune_insee) { return; }
        var option = communeSelect.querySelector("option[value='" + place.commune_insee + "']");
        if (option && communeSelect.value !== place.commune_insee) { communeSelect.value = place.commune_insee; fillTypes(); }
      });
  }
  map.on("click", function (event) {
    if (document.getElementById("c-new-card").hidden) { openForm(); }
    placeAt(event.latlng);
  });
  // An address chosen in the header's search box places the intervention being written (and names its address).
  document.addEventListener("confiance:address", function (event) {
    if (document.getElementById("c-new-card").hidden || !event.detail) { return; }
    placeAt(L.latLng(event.detail.lat, event.detail.lon));
    var address = document.getElementById("n-address");
    if (!address.value) { address.value = event.detail.label; }
  });
  function placed(data) {
    var lat = parseFloat(data.get("lat")), lon = parseFloat(data.get("lon"));
    return isFinite(lat) && isFinite(lon);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = document.getElementById("c-new-error");
    box.hidden = true;
    var data = new FormData(form);
    if (!placed(data)) {  // said here, in words, before the server refuses it
      box.textContent = labels.placeFirst; box.hidden = false;
      return;
    }
    var payload = {commune: data.get("commune"), type_id: parseInt(data.get("type_id"), 10),
      lat: parseFloat(data.get("lat")), lon: parseFloat(data.get("lon")), origin: data.get("origin"),
      address: data.get("address"), description: data.get("description"),
      caller_name: data.get("caller_name"), caller_phone: data.get("caller_phone"),
      acknowledge_sensitive: document.getElementById("n-ack").checked};
    if (data.get("priority")) { payload.priority = parseInt(data.get("priority"), 10); }
    call("POST", "interventions", payload).then(function (row) {
      drawIntervention(row); listInterventions(); closeForm(); select(row.id);
      announce(labels.created + " : " + row.number);
    }).catch(function (error) {
      var message = error.message;  // the server names the refused fields in French
      if (error.data && error.data.code === "operations_sensitive_data") {
        document.getElementById("n-ack-row").hidden = false;
      }
      box.textContent = message; box.hidden = false;
    });
  });

  // --- Main courante and reports -------------------------------------------------------------
  function drawLog(entry, prepend) {
    if (!visible(entry)) { return; }
    if (entry.lat !== null && entry.lat !== undefined) {
      layers.log.addLayer(L.circleMarker([entry.lat, entry.lon], {radius: 4, color: "#444", fillOpacity: 0.6})
        .bindTooltip(tip(entry.number + " — " + entry.nature)));
    }
    var list = document.getElementById("c-log");
    var item = el("li");
    item.appendChild(el("strong", dateTime(entry.occurred_at) + " " + entry.number + " "));
    item.appendChild(el("span", entry.nature + (entry.address ? " — " + entry.address : "")));
    var at = Date.parse(entry.occurred_at), before = null;  // newest first, whatever order they arrive in
    item.dataset.at = String(at);
    for (var i = 0; i < list.children.length && !before; i++) {
      if (Number(list.children[i].dataset.at) < at) { before = list.children[i]; }
    }
    list.insertBefore(item, before);
    while (list.children.length > 30) { list.removeChild(list.lastChild); }
  }
  function drawReport(report) {
    if (!visible(report)) { return; }
    layers.reports.addLayer(L.circleMarker([report.lat, report.lon], {radius: 4, color: "#6a3d9a", fillOpacity: 0.5})
      .bindTooltip(tip("n° " + report.id + " — " + report.category)));
  }

  // --- Loading and filtering -----------------------------------------------------------------
  var snapshot = null;
  function redraw() {
    Object.keys(layers).forEach(function (key) { layers[key].clearLayers(); });
    markers = {units: {}, interventions: {}};
    state.units = {}; state.interventions = {};
    document.getElementById("c-log").textContent = "";
    snapshot.units.forEach(drawUnit);
    snapshot.interventions.forEach(drawIntervention);
    snapshot.log_entries.forEach(function (entry) { drawLog(entry, false); });
    snapshot.reports.forEach(drawReport);
    listUnits(); listInterventions();
    mapElement.dataset.units = String(Object.keys(markers.units).length);
    scheduleDeclutter();
  }

  // --- Labels that do not overlap ------------------------------------------------------------
  // A unit's label that would cover an intervention, a sensor, a commune's name or another unit's label shrinks to
  // its coloured dot (its name stays in the tooltip and the list); engaged units keep their name first.
  var declutterTimer = null;
  function scheduleDeclutter() {
    if (declutterTimer) { return; }
    declutterTimer = window.setTimeout(function () { declutterTimer = null; declutter(); }, 50);
  }
  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  function declutter() {
    var placed = [];
    var origin = mapElement.getBoundingClientRect();
    // Fixed things first: interventions, other layers' markers (sensors), the communes' names.
    mapElement.querySelectorAll(".leaflet-marker-icon:not(.unit-icon), .commune-label").forEach(function (node) {
      placed.push(node.getBoundingClientRect());
    });
    var units = Object.keys(markers.units).map(function (id) { return state.units[id]; }).filter(Boolean)
      .sort(function (a, b) { return (b.assignment ? 1 : 0) - (a.assignment ? 1 : 0) || a.name.localeCompare(b.name); });
    units.forEach(function (unit) {
      var node = markers.units[unit.id].getElement();
      if (!node) { return; }
      node.classList.remove("dot");
      var box = node.getBoundingClientRect();
      var hidden = box.right < origin.left || box.left > origin.right || box.bottom < origin.top || box.top > origin.bottom;
      if (!hidden && placed.some(function (other) { return overlaps(box, other); })) {
        node.classList.add("dot");
        box = node.getBoundingClientRect();
      }
      placed.push(box);
    });
    mapElement.dataset.decluttered = String(document.querySelectorAll("#ops-map .unit-icon.dot").length);
  }
  // Other layers (sensors, the communes' names) arrive on their own time: each addition asks for a new pass.
  map.on("zoomend moveend layeradd tooltipopen", scheduleDeclutter);

  // --- Legend --------------------------------------------------------------------------------
  var legendStatuses = null;
  var legend = L.control({position: "bottomleft"});
  legend.onAdd = function () {
    var box = el("details", null, "map-legend");
    box.open = window.innerWidth >= 1600;  // on a smaller screen it opens on demand
    box.appendChild(el("summary", labels.legend));
    box.appendChild(el("h3", labels.legendPriority));
    var priorities = el("ul");
    [1, 2, 3].forEach(function (priority) {
      var item = el("li");
      var icon = el("span", null, "intervention-icon p" + priority);
      icon.appendChild(el("span", String(priority)));
      item.appendChild(icon);
      item.appendChild(el("span", labels["priority-" + priority]));
      priorities.appendChild(item);
    });
    box.appendChild(priorities);
    box.appendChild(el("h3", labels.legendUnits));
    legendStatuses = el("ul", null, "legend-statuses");
    box.appendChild(legendStatuses);
    box.appendChild(el("h3", labels.legendOther));
    var other = el("ul");
    [labels.legendStale, labels.legendLog, labels.legendReport, labels.legendSharing].forEach(function (text) {
      other.appendChild(el("li", text));
    });
    box.appendChild(other);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  legend.addTo(map);
  function legendUnits() {  // the status codes in use, in words, with their colour and radio code
    if (!legendStatuses) { return; }
    var seen = {};
    Object.values(state.units).forEach(function (unit) {
      var key = unit.status_label + "|" + unit.color;
      if (!seen[key]) { seen[key] = unit; }
    });
    legendStatuses.textContent = "";
    Object.values(seen).sort(function (a, b) { return a.status_code.localeCompare(b.status_code); })
      .forEach(function (unit) {
        var item = el("li");
        var swatch = el("span", "", "swatch");
        swatch.style.background = unit.color;
        item.appendChild(swatch);
        item.appendChild(el("span", unit.status_label + " (" + labels.code + " " + unit.status_code + ")"));
        legendStatuses.appendChild(item);
      });
  }
  function load() {
    return fetch(mapElement.dataset.state, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (data) { snapshot = data; redraw(); });
  }
  document.getElementById("c-commune").addEventListener("change", function (event) {
    state.commune = event.target.value;
    load();
  });
  fetch(mapElement.dataset.territory).then(function (r) { return r.json(); }).then(function (collection) {
    var outline = L.geoJSON(collection, {style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.03}, interactive: false}).addTo(map);
    if (outline.getLayers().length) { map.fitBounds(outline.getBounds()); } else { map.setView([46.6, 2.4], 6); }
  });
  load().then(connect);

  // --- Sound and announcements ---------------------------------------------------------------
  var audio = null;
  function beep() {
    if (!state.sound) { return; }
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    [0, 0.25, 0.5].forEach(function (offset) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + offset + 0.2);
      oscillator.connect(gain); gain.connect(audio.destination);
      oscillator.start(audio.currentTime + offset); oscillator.stop(audio.currentTime + offset + 0.2);
    });
  }
  var soundButton = document.getElementById("c-sound");
  soundButton.addEventListener("click", function () {
    state.sound = !state.sound;
    soundButton.setAttribute("aria-pressed", state.sound ? "true" : "false");
    soundButton.textContent = state.sound ? labels.soundOn : labels.soundOff;
    if (state.sound) { beep(); }
  });
  var status = document.getElementById("live-status");
  function announce(text) { status.textContent = text; }

  // --- Live events ---------------------------------------------------------------------------
  function connect() {
    if (!window.EventSource) { return; }
    var source = new EventSource("/live/events");
    source.onopen = function () { announce(status.dataset.connected); mapElement.dataset.live = "1"; };
    source.onerror = function () { announce(status.dataset.disconnected); };
    function on(type, handler) {
      source.addEventListener(type, function (message) {
        var data = JSON.parse(message.data);
        handler(data.payload, data);
      });
    }
    on("operations.unit", function (unit) { drawUnit(unit); listUnits(); });
    on("operations.units_moved", function (payload) {
      payload.units.forEach(function (moved) {
        var unit = state.units[moved.id];
        if (!unit) { return; }
        unit.lat = moved.lat; unit.lon = moved.lon; unit.position_at = moved.at; unit.stale = false;
        drawUnit(unit);
      });
    });
    on("operations.intervention_created", function (payload, data) {
      call("GET", "interventions/" + payload.intervention_id).then(function (row) {
        drawIntervention(row); listInterventions();
      });
      if (payload.urgent) { beep(); announce(labels.newUrgent + " : " + payload.number + " — " + payload.type); }
    });
    on("operations.intervention_changed", function (payload) {
      var row = state.interventions[payload.intervention_id];
      if (!row) { return; }
      row.status = payload.status; row.status_label = payload.status_label;
      drawIntervention(row); listInterventions();
      if (state.selected === payload.intervention_id && payload.status !== "clos") {
        recommend(payload.intervention_id); loadRecord(payload.intervention_id);
        document.getElementById("c-detail-body").textContent = [row.priority_label, row.status_label, row.address,
          row.description].filter(Boolean).join(" · ");
      }
    });
    on("operations.log_entry", function (payload, data) {
      payload.commune_id = data.commune;
      drawLog(payload, true);
    });
    on("operations.step_skipped", function (payload) {
      announce(payload.number + " : " + payload.step + " — " + payload.reason + " (" + payload.agent + ")");
    });
    liveHandlers.forEach(function (pair) { on(pair[0], pair[1]); });
    on("reports.created", function (payload, data) {
      drawReport({id: payload.report_id, lat: payload.lat, lon: payload.lon, category: payload.category,
        commune_id: data.commune});
    });
  }

  // --- Keyboard ------------------------------------------------------------------------------
  document.getElementById("c-help-toggle").addEventListener("click", function (event) {
    var help = document.getElementById("c-help");
    help.hidden = !help.hidden;
    event.target.setAttribute("aria-expanded", help.hidden ? "false" : "true");
  });
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.key === "Escape") { closeForm(); return; }
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var rows = sortedInterventions();
    var index = rows.findIndex(function (row) { return row.id === state.selected; });
    if (event.key === "n") { event.preventDefault(); openForm(); }
    else if (event.key === "j" && rows.length) { select(rows[Math.min(rows.length - 1, index + 1)].id); }
    else if (event.key === "k" && rows.length) { select(rows[Math.max(0, index - 1)].id); }
    else if (event.key === "u") { document.getElementById("c-units-card").focus(); }
    else if (event.key === "?") { document.getElementById("c-help-toggle").click(); }
    else if (/^[1-5]$/.test(event.key) && state.selected && canDispatch) {
      var candidate = state.recommendation[parseInt(event.key, 10) - 1];
      if (candidate) { engage(state.selected, candidate.unit_id, parseInt(event.key, 10), ""); }
    }
  });
  window.confianceConsole = {state: state, milestones: milestones, map: map, layerControl: layerControl,
    announce: announce, beep: beep,
    onLive: function (type, handler) { liveHandlers.push([type, handler]); }};
})();
