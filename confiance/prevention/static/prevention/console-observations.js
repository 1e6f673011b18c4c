// The operations console's panel of the referents' observations: loaded once, then kept live by the
// `prevention.participation.*` events; every string reaches the page as text.
(function () {
  "use strict";
  var root = document.getElementById("observations-console");
  var C = window.confianceConsole;
  if (!root || !C) { return; }
  var badge = document.getElementById("c-obs-count");
  var list = document.getElementById("c-obs-list");
  var rows = [];
  var waiting = 0;
  var LIMIT = 10;

  function item(row) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = row.url;
    link.textContent = row.kind + (row.sector ? " — " + row.sector : "");
    li.appendChild(link);
    var detail = document.createElement("span");
    detail.className = "small";
    detail.textContent = " " + [row.at, row.address, row.vehicle].filter(Boolean).join(" · ");
    li.appendChild(detail);
    return li;
  }
  function draw() {
    badge.textContent = String(waiting);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!rows.length) {
      var empty = document.createElement("li");
      empty.textContent = root.dataset.empty;
      list.appendChild(empty);
    }
    rows.slice(0, LIMIT).forEach(function (row) { list.appendChild(item(row)); });
  }
  fetch(root.dataset.state, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
    rows = data.observations || [];
    waiting = data.waiting || 0;
    draw();
    root.dataset.loaded = "1";
  });
  C.onLive("prevention.participation.observation", function (payload) {
    if (!payload || !payload.observation_id) { return; }
    rows.unshift({url: root.dataset.state.replace("console.json", "observations/" + payload.observation_id + "/"),
                  kind: payload.kind_label, sector: payload.sector, at: "", address: payload.address,
                  vehicle: payload.vehicle});
    waiting += 1;
    C.announce(root.dataset["new"] + " : " + payload.kind_label + (payload.sector ? " — " + payload.sector : ""));
    C.beep();
    draw();
  });
  C.onLive("prevention.participation.observation_changed", function (payload) {
    if (!payload || !payload.observation_id) { return; }
    if (payload.status === "intervention" || payload.status === "close") {
      var before = rows.length;
      rows = rows.filter(function (row) { return row.url.indexOf("/observations/" + payload.observation_id + "/") < 0; });
      if (rows.length < before) { waiting = Math.max(0, waiting - 1); }
      draw();
    }
  });
})();
