// The console's sensors layer and alarm list: markers coloured by state, open alarms with their handling buttons,
// a sensor's recent values as a chart in the side panel; kept current by the `devices.*` live events.
(function () {
  "use strict";
  var S = window.confianceSensors;
  var C = window.confianceConsole;
  var root = document.getElementById("sensor-console");
  if (!root || !C || !C.map || !S) { return; }
  var labels = root.dataset;
  var map = C.map;
  var layer = L.layerGroup().addTo(map);
  C.layerControl.addOverlay(layer, labels.layerSensors);
  var state = {devices: {}, alarms: {}, handle: [], commune: "", selected: null};
  var markers = {};
  var list = document.getElementById("c-alarms");
  var errorBox = document.getElementById("c-alarm-error");
  var graph = null;

  function url(template, id) { return template.replace("/0/", "/" + id + "/"); }
  function visible(item) { return !state.commune || String(item.commune_id) === state.commune; }
  function canHandle(alarm) { return state.handle.indexOf(alarm.commune_id) >= 0; }
  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString(document.documentElement.lang, {hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/Paris"}) : "";
  }

  // --- Sensors on the map --------------------------------------------------------------------
  function drawDevice(device) {
    var known = state.devices[device.id] = Object.assign(state.devices[device.id] || {}, device);
    var marker = markers[known.id];
    if (!visible(known) || known.lat === null || known.lat === undefined) {
      if (marker) { layer.removeLayer(marker); delete markers[known.id]; }
      return;
    }
    if (!marker) {
      marker = markers[known.id] = S.marker(known);
      marker.on("click", function () { showSensor(known.id); });
      layer.addLayer(marker);
    } else {
      S.update(marker, known);
    }
  }

  // --- The alarm list ------------------------------------------------------------------------
  var STATE_ORDER = {raised: 0, acknowledged: 1};
  var FRESH_MS = 30000;
  function normalise(p, data) {
    var device = p.device && typeof p.device === "object" ? p.device : {};
    var rule = p.rule && typeof p.rule === "object" ? p.rule.name : p.rule;
    var row = {id: p.id || p.alarm_id, commune_id: p.commune_id || (data ? data.commune : null), commune: p.commune,
      rule: rule || p.rule_name, device_id: p.device_id || device.id, device_name: p.device_name || device.name,
      severity: p.severity, severity_label: p.severity_label, state: p.state, state_label: p.state_label,
      message: p.message, value: p.value, raised_at: p.raised_at, lat: p.lat, lon: p.lon,
      intervention_id: p.intervention_id, intervention_number: p.intervention_number};
    Object.keys(row).forEach(function (key) { if (row[key] === undefined) { delete row[key]; } });
    return row;
  }
  function sortedAlarms() {
    return Object.values(state.alarms).filter(visible).sort(function (a, b) {
      return (STATE_ORDER[a.state] || 0) - (STATE_ORDER[b.state] || 0) || b.severity - a.severity ||
        (a.raised_at < b.raised_at ? 1 : -1);
    });
  }
  function actionButton(text, template, alarm, primary) {
    var button = S.el("button", text, "button small" + (primary ? " primary" : ""));
    button.type = "button";
    button.addEventListener("click", function () {
      errorBox.hidden = true;
      button.disabled = true;
      S.post(url(template, alarm.id), {}).then(function (row) { applyAlarm(row); })
        .catch(function (error) { errorBox.textContent = error.message; errorBox.hidden = false; button.disabled = false; });
    });
    return button;
  }
  function alarmItem(alarm) {
    var item = S.el("li", null, "sev-" + alarm.severity + " " + alarm.state + (alarm.freshUntil > Date.now() ? " live-new" : ""));
    item.dataset.alarm = alarm.id;
    var title = S.el("button", alarm.message, "alarm-title");
    title.type = "button";
    title.addEventListener("click", function () { if (alarm.device_id) { showSensor(alarm.device_id, true); } });
    item.appendChild(title);
    var meta = [alarm.severity_label, alarm.state_label, alarm.device_name, alarm.commune,
      labels.raisedAt + " " + time(alarm.raised_at)];
    if (alarm.intervention_number) { meta.push(labels.interventionDone + " " + alarm.intervention_number); }
    item.appendChild(S.el("span", meta.filter(Boolean).join(" · "), "alarm-meta"));
    if (canHandle(alarm)) {
      var actions = S.el("div", null, "alarm-actions");
      if (alarm.state === "raised") { actions.appendChild(actionButton(labels.acknowledgeLabel, labels.acknowledge, alarm, true)); }
      actions.appendChild(actionButton(labels.resolveLabel, labels.resolve, alarm, false));
      if (!alarm.intervention_id) { actions.appendChild(actionButton(labels.interventionLabel, labels.intervention, alarm, false)); }
      item.appendChild(actions);
    }
    return item;
  }
  function listAlarms() {
    list.textContent = "";
    var rows = sortedAlarms();
    rows.forEach(function (alarm) { list.appendChild(alarmItem(alarm)); });
    document.getElementById("c-alarm-count").textContent = rows.length;
    root.dataset.alarms = String(rows.length);
  }
  function applyAlarm(row, fresh) {
    if (!row.id) { return; }
    if (row.state === "resolved") { delete state.alarms[row.id]; listAlarms(); return; }
    var known = state.alarms[row.id] = Object.assign(state.alarms[row.id] || {}, row);
    // A new alarm stays marked as new for a while: the update that often follows it (an intervention opened, a
    // notification sent) must not take the mark away before the operator has seen it.
    if (fresh) { known.freshUntil = Date.now() + FRESH_MS; }
    listAlarms();
  }

  // --- One sensor in the side panel ------------------------------------------------------------
  function showSensor(id, pan) {
    var device = state.devices[id];
    if (!device) { return; }
    state.selected = id;
    var card = document.getElementById("c-sensor");
    card.hidden = false;
    card.scrollIntoView({block: "nearest"});
    document.getElementById("c-sensor-title").textContent = device.name;
    var badge = document.getElementById("c-sensor-state");
    badge.className = "badge " + S.stateClass(device.state);
    badge.textContent = device.state_label;
    document.getElementById("c-sensor-meta").textContent = [device.kind_label, device.commune,
      device.last_seen_at ? labels.seen + " " + S.dateTime(device.last_seen_at) : labels.never].join(" · ");
    var values = document.getElementById("c-sensor-values");
    values.textContent = "";
    (device.values || []).forEach(function (item) { values.appendChild(S.el("li", S.valueText(item))); });
    document.getElementById("c-sensor-link").href = url(labels.detail, id);
    if (pan && device.lat !== null) { map.panTo([device.lat, device.lon]); }
    if (graph) { graph.destroy(); }
    graph = null;
    var quantity = (device.values || [])[0];
    var empty = document.getElementById("c-sensor-empty");
    var canvas = document.getElementById("c-sensor-canvas");
    if (!quantity) { empty.hidden = false; canvas.hidden = true; return; }
    graph = S.chart(canvas, empty, url(labels.series, id), {mean: labels.mean, min: labels.min, max: labels.max});
    graph.load({grandeur: quantity.quantity, periode: "heures"}).then(function () { card.dataset.loaded = String(id); });
  }
  document.getElementById("c-sensor-close").addEventListener("click", function () {
    document.getElementById("c-sensor").hidden = true;
    state.selected = null;
  });

  // --- Loading, filtering, live ------------------------------------------------------------------
  function load() {
    return fetch(labels.state, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      layer.clearLayers(); markers = {}; state.devices = {}; state.alarms = {};
      state.handle = data.handle_commune_ids || [];
      (data.devices || []).forEach(drawDevice);
      (data.alarms || []).forEach(function (alarm) { state.alarms[alarm.id] = alarm; });
      listAlarms();
      root.dataset.sensors = String(Object.keys(markers).length);
      return data;
    });
  }
  var communeSelect = document.getElementById("c-commune");
  communeSelect.addEventListener("change", function () {
    state.commune = communeSelect.value;
    Object.values(state.devices).forEach(drawDevice);
    listAlarms();
  });
  load().then(function (data) { if (data.legend) { S.legend(map, data.legend, labels.legendTitle); } });
  if (!document.getElementById("ops-map").dataset.tiles) { S.outlines(map, labels.territory); }

  C.onLive("devices.alarm", function (payload, data) {
    var row = normalise(payload, data);
    var fresh = !state.alarms[row.id] && row.state === "raised";
    applyAlarm(row, fresh);
    if (fresh && visible(row)) { C.beep(); C.announce(labels.newAlarm + " : " + (row.message || "")); }
  });
  C.onLive("devices.device_state", function (payload) {
    var id = payload.device_id || payload.id;
    if (!state.devices[id]) { return; }
    drawDevice({id: id, state: payload.state, state_label: payload.state_label});
    if (state.selected === id) { showSensor(id, false); }
  });
})();
