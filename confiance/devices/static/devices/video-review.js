// The review queue of video-analytics detections: pending flags drawn from the state endpoint, kept live by the
// `devices.detection` events; confirm (optionally raising an alarm or opening an intervention) or dismiss. Text reaches the DOM as text.
(function () {
  "use strict";
  var list = document.getElementById("video-queue");
  if (!list) { return; }
  var labels = list.dataset;
  var count = document.getElementById("video-count");
  var errorBox = document.getElementById("video-error");
  var pending = {};
  var lang = document.documentElement.lang || "fr";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function when(iso) {
    return new Date(iso).toLocaleString(lang, {day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit",
      second: "2-digit", timeZone: "Europe/Paris"});
  }
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function post(url, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    return fetch(url, {method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}}).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.message || response.statusText); }
        return data;
      });
    });
  }
  function button(text, template, item, fields, primary) {
    var node = el("button", text, "button small" + (primary ? " primary" : ""));
    node.type = "button";
    node.addEventListener("click", function () {
      errorBox.hidden = true;
      node.disabled = true;
      post(template.replace("/0/", "/" + item.id + "/"), fields).then(apply).catch(function (error) {
        errorBox.textContent = error.message; errorBox.hidden = false; node.disabled = false;
      });
    });
    return node;
  }
  function row(item) {
    var node = el("li", null, item.fresh ? "live-new" : "");
    node.dataset.detection = item.id;
    node.appendChild(el("strong", item.event_type_label));
    node.appendChild(document.createTextNode(" — " + item.camera_name + " "));
    var meta = [when(item.observed_at)];
    if (item.zone) { meta.push(labels.zoneLabel + " " + item.zone); }
    if (item.score !== null && item.score !== undefined) { meta.push(labels.scoreLabel + " " + item.score.toFixed(2)); }
    node.appendChild(el("span", meta.join(" · "), "hint"));
    var actions = el("p", null, "actions");
    actions.appendChild(button(labels.confirmLabel, labels.confirm, item, {}, true));
    actions.appendChild(button(labels.alarmLabel, labels.confirm, item, {alarm: "1"}));
    if (labels.canIntervene) { actions.appendChild(button(labels.interveneLabel, labels.confirm, item, {intervention: "1"})); }
    actions.appendChild(button(labels.dismissLabel, labels.dismiss, item, {}));
    node.appendChild(actions);
    return node;
  }
  function draw() {
    var items = Object.values(pending).sort(function (a, b) { return a.observed_at < b.observed_at ? 1 : -1; });
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", labels.empty, "empty")); }
    items.forEach(function (item) { list.appendChild(row(item)); });
    count.textContent = String(items.length);
  }
  function apply(item) {
    if (!item || !item.id) { return; }
    if (item.status === "pending") { pending[item.id] = item; } else { delete pending[item.id]; }
    draw();
  }
  fetch(labels.state, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
    (data.pending || []).forEach(function (item) { pending[item.id] = item; });
    draw();
    list.dataset.loaded = "1";
  });
  if (window.EventSource) {
    var source = new EventSource("/live/events");
    source.addEventListener("devices.detection", function (message) {
      var item = JSON.parse(message.data).payload || {};
      item.fresh = item.status === "pending" && !pending[item.id];
      apply(item);
    });
  }
})();
