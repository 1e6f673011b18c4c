// The operations console's panel of the alerts received from other authorities (CAP in): loaded once, then read
// again at each `alerts.incoming` event (an import adds, updates or cancels); every string reaches the page as text.
(function () {
  "use strict";
  var root = document.getElementById("incoming-alerts-console");
  var C = window.confianceConsole;
  if (!root || !C) { return; }
  var badge = document.getElementById("c-incoming-count");
  var list = document.getElementById("c-incoming-list");

  function item(row) {
    var li = document.createElement("li");
    li.className = "incoming-alert severity-" + String(row.severity).toLowerCase();
    li.dataset.id = String(row.id);
    var severity = document.createElement("span");
    severity.className = "badge";
    severity.textContent = row.severity_label;
    li.appendChild(severity);
    li.appendChild(document.createTextNode(" "));
    var headline = document.createElement("strong");
    headline.textContent = row.headline;
    li.appendChild(headline);
    var detail = document.createElement("span");
    detail.className = "small";
    detail.textContent = " " + [row.sender, row.validity, (row.communes || []).join(", ")].filter(Boolean).join(" · ");
    li.appendChild(detail);
    return li;
  }
  function draw(rows) {
    badge.textContent = String(rows.length);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!rows.length) {
      var empty = document.createElement("li");
      empty.textContent = root.dataset.empty;
      list.appendChild(empty);
    }
    rows.forEach(function (row) { list.appendChild(item(row)); });
  }
  function load() {
    return fetch(root.dataset.state, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (data) {
        draw(data.incoming || []);
        root.dataset.loaded = String(Number(root.dataset.loaded || 0) + 1);
      });
  }
  load();
  C.onLive("alerts.incoming", function (payload) {
    if (!payload || !payload.id) { return; }
    if (payload.msg_type !== "Cancel") {
      C.announce(root.dataset["new"] + " : " + [payload.severity_label, payload.headline, payload.sender_name]
        .filter(Boolean).join(" — "));
      if (payload.severity === "Extreme" || payload.severity === "Severe") { C.beep(); }
    }
    load();
  });
})();
