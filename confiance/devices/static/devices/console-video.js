// The console's count of video-analytics detections waiting for review, kept live by `devices.detection` events.
(function () {
  "use strict";
  var root = document.getElementById("video-console");
  var C = window.confianceConsole;
  if (!root || !C) { return; }
  var badge = document.getElementById("c-video-count");
  var pending = {};
  function draw() { badge.textContent = String(Object.keys(pending).length); }
  fetch(root.dataset.state, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
    (data.pending || []).forEach(function (item) { pending[item.id] = true; });
    draw();
    root.dataset.loaded = "1";
  });
  C.onLive("devices.detection", function (payload) {
    if (!payload || !payload.id) { return; }
    if (payload.status === "pending") {
      if (!pending[payload.id]) { C.announce(root.dataset["new"] + " : " + (payload.event_type_label || "")); }
      pending[payload.id] = true;
    } else {
      delete pending[payload.id];
    }
    draw();
  });
})();
