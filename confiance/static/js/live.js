// Live feed of the agent home page: EventSource resumes by itself with Last-Event-ID.
(function () {
  "use strict";
  var feed = document.getElementById("live-feed");
  var status = document.getElementById("live-status");
  if (!feed || !window.EventSource) { return; }
  var source = new EventSource("/live/events");
  var labels = JSON.parse(document.getElementById("live-labels").textContent);
  function show(message) {
    var data = JSON.parse(message.data);
    var item = document.createElement("li");
    var time = new Date(data.at).toLocaleTimeString(document.documentElement.lang, {timeZone: "Europe/Paris"});
    var label = labels[data.type];  // listened to only for the types it has a label for
    if (!label) { return; }
    var p = data.payload || {};
    var detail = p.report_id ? "n° " + p.report_id + (p.category ? " — " + p.category : "") + (p.commune ? ", " + p.commune : "")
      : (p.name || p.level_label || "");
    item.textContent = time + " — " + label + (detail ? " : " + detail : "");
    feed.insertBefore(item, feed.firstChild);
    while (feed.children.length > 50) { feed.removeChild(feed.lastChild); }
  }
  Object.keys(labels).forEach(function (type) { source.addEventListener(type, show); });
  source.addEventListener("reset", function () { window.location.reload(); });
  source.onopen = function () { status.textContent = status.dataset.connected; };
  source.onerror = function () { status.textContent = status.dataset.disconnected; };
})();
