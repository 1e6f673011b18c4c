// Crisis view: one map and one set of lists over every commune of the crisis, kept current by the live stream.
(function () {
  "use strict";
  var view = document.getElementById("crisis-view");
  if (!view) { return; }
  var labels = view.dataset;
  var stepsBox = document.getElementById("crisis-steps");
  var csrf = stepsBox.dataset.csrf;
  var active = stepsBox.dataset.active === "1";
  var status = document.getElementById("crisis-live");
  var mapElement = document.getElementById("crisis-map");
  var map = L.map(mapElement, {keyboard: true});
  window.confianceBasemap(map);
  var markers = L.layerGroup().addTo(map);
  var outlinesDrawn = false, fitted = false, current = null;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function when(iso) {
    return iso ? new Date(iso).toLocaleString(document.documentElement.lang, {day: "2-digit", month: "2-digit",
      hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris"}) : "";
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"}}).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    });
  }
  function tip(text) { var node = document.createElement("span"); node.textContent = text; return node; }
  function marker(lat, lon, kind, text) {
    if (lat === null || lon === null || lat === undefined || lon === undefined) { return; }
    var icon = L.divIcon({className: "crisis-marker " + kind, iconSize: [14, 14]});
    L.marker([lat, lon], {icon: icon, keyboard: false, title: text}).bindTooltip(tip(text)).addTo(markers);
  }

  function drawSteps(steps) {
    clear(stepsBox);
    var byCommune = {};
    steps.forEach(function (step) { (byCommune[step.commune] = byCommune[step.commune] || []).push(step); });
    Object.keys(byCommune).sort().forEach(function (commune) {
      stepsBox.appendChild(el("h3", commune, "crisis-steps-commune"));
      var list = el("ul", null, "crisis-steps");
      byCommune[commune].forEach(function (step) {
        var item = el("li", null, step.ticked ? "done" : "");
        var text = el("span", step.text, "step-text");
        if (step.ticked) {
          text.appendChild(el("span", labels.doneLabel + " " + step.ticked_by + " — " + when(step.ticked_at), "step-who"));
        } else if (active) {
          var button = el("button", labels.tickLabel, "button");
          button.type = "button";
          button.dataset.step = String(step.id);
          button.addEventListener("click", function () {
            button.disabled = true;
            post(view.dataset.state.replace("etat.json", "etapes/" + step.id + "/cocher"), new FormData())
              .then(load, load);
          });
          item.appendChild(button);
        }
        item.insertBefore(text, item.firstChild);
        list.appendChild(item);
      });
      stepsBox.appendChild(list);
    });
  }

  function drawLog(entries) {
    var list = document.getElementById("crisis-log");
    clear(list);
    entries.slice().reverse().forEach(function (entry) {
      var item = el("li", entry.text, entry.kind === "note" ? "" : "auto");
      var meta = [when(entry.at), entry.kind_label, entry.commune, entry.author].filter(Boolean).join(" · ");
      item.appendChild(el("span", meta, "log-meta"));
      list.appendChild(item);
    });
  }

  function drawList(id, countId, rows, hiddenText, render) {
    var list = document.getElementById(id);
    clear(list);
    if (rows === null) { list.appendChild(el("li", hiddenText, "muted")); document.getElementById(countId).textContent = ""; return; }
    document.getElementById(countId).textContent = String(rows.length);
    if (!rows.length) { list.appendChild(el("li", labels.empty, "muted")); }
    rows.forEach(function (row) { list.appendChild(el("li", render(row))); });
  }

  function drawOutlines(names) {
    if (outlinesDrawn) { return; }
    outlinesDrawn = true;
    fetch(mapElement.dataset.territory, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (collection) {
        collection.features = collection.features.filter(function (f) { return names.indexOf(f.properties.name) >= 0; });
        var outline = L.geoJSON(collection, {style: {color: "#8f1d1d", weight: 2, fillOpacity: 0.04}, interactive: false})
          .addTo(map);
        if (!fitted && outline.getLayers().length) { map.fitBounds(outline.getBounds()); fitted = true; }
      });
  }

  function draw(state) {
    current = state;
    if (state.crisis.active !== active) { window.location.reload(); return; }
    drawSteps(state.steps);
    drawLog(state.log);
    markers.clearLayers();
    drawList("crisis-interventions", "crisis-int-count", state.interventions, labels.hidden, function (i) {
      marker(i.lat, i.lon, "intervention", i.number + " — " + i.type);
      return i.number + " — " + i.type + " · " + i.commune + " · " + i.status_label + (i.address ? " · " + i.address : "");
    });
    drawList("crisis-units", "crisis-unit-count", state.units, labels.hidden, function (u) {
      marker(u.lat, u.lon, "unit", u.name);
      return u.name + " (" + u.commune + ") — " + u.status_label;
    });
    drawList("crisis-alarms", "crisis-alarm-count", state.alarms, labels.hiddenAlarms, function (a) {
      marker(a.lat, a.lon, "alarm", a.rule);
      return a.severity_label + " — " + a.rule + " · " + a.commune + " · " + a.state_label + " · " + when(a.raised_at);
    });
    drawOutlines(state.crisis.communes);
    if (!fitted) { map.setView([48.53, 2.45], 12); }
  }

  function load() {
    return fetch(view.dataset.state, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); }).then(draw);
  }

  var timer = null;
  function soon() { if (timer) { clearTimeout(timer); } timer = setTimeout(function () { timer = null; load(); }, 400); }

  function connect() {
    if (!window.EventSource) { return; }
    var source = new EventSource("/live/events");
    source.onopen = function () { status.textContent = status.dataset.connected; view.dataset.live = "1"; };
    source.onerror = function () { status.textContent = status.dataset.disconnected; };
    ["crisis.changed", "operations.intervention_created", "operations.intervention_changed", "operations.unit",
      "devices.alarm", "devices.alarm_escalated"].forEach(function (type) { source.addEventListener(type, soon); });
    source.addEventListener("reset", function () { source.close(); setTimeout(function () { load().then(connect); }, 1000); });
  }

  var form = document.getElementById("crisis-log-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(form.action, new FormData(form)).then(function (answer) {
        if (answer.ok) { form.reset(); }
        load();
      });
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (confirmForm) {
    confirmForm.addEventListener("submit", function (event) {
      if (!window.confirm(confirmForm.dataset.confirm)) { event.preventDefault(); }
    });
  });
  load().then(connect);
})();
