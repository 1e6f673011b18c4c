// A mobilisation's page: the volunteers' answers arrive live (SSE family "prevention.reserve.").
(function () {
  "use strict";
  var box = document.getElementById("mobilisation");
  if (!box || !window.EventSource) { return; }
  var id = Number(box.dataset.mobilisation);
  var list = document.getElementById("answers");
  var live = document.getElementById("ans-live");
  var source = new EventSource("/live/events");
  source.addEventListener("prevention.reserve.answer", function (message) {
    var p = JSON.parse(message.data).payload || {};
    if (p.mobilisation_id !== id) { return; }
    document.getElementById("count-available").textContent = String(p.available);
    document.getElementById("count-unavailable").textContent = String(p.unavailable);
    var old = list.querySelector('[data-volunteer="' + Number(p.volunteer_id) + '"]');
    if (old) { old.remove(); }
    var item = document.createElement("li");
    item.setAttribute("data-volunteer", String(p.volunteer_id));
    var time = new Date().toLocaleTimeString(document.documentElement.lang, {timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit"});
    item.textContent = p.volunteer + " — " + p.answer_label + " (" + time + ")";
    list.insertBefore(item, list.firstChild);
  });
  source.addEventListener("reset", function () { window.location.reload(); });
  source.onopen = function () { live.textContent = live.dataset.connected; };
  source.onerror = function () { live.textContent = live.dataset.disconnected; };
})();
