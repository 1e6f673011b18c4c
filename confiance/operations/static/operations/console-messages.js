// Console: send a message to a unit's crew (it reaches the field page live, or as a notification), and see
// whether it was read. Kept apart from console.js: it only needs the API and, when present, the console's stream.
(function () {
  "use strict";
  var card = document.getElementById("c-messages");
  if (!card) { return; }
  var labels = card.dataset;
  var form = document.getElementById("m-form");
  var unitSelect = document.getElementById("m-unit");
  var text = document.getElementById("m-text");
  var ackRow = document.getElementById("m-ack-row");
  var ack = document.getElementById("m-ack");
  var error = document.getElementById("m-error");
  var status = document.getElementById("m-status");
  var sent = document.getElementById("m-sent");
  var rows = {};

  function option(value, label) {
    var element = document.createElement("option");
    element.value = value; element.textContent = label;
    return element;
  }
  window.confianceApi("GET", "operations/units").then(function (units) {
    unitSelect.appendChild(option("", labels.choose));
    units.forEach(function (unit) { unitSelect.appendChild(option(String(unit.id), unit.name + " (" + unit.commune + ")")); });
  });

  function time(iso) {
    return new Date(iso).toLocaleTimeString(document.documentElement.lang, {hour: "2-digit", minute: "2-digit"});
  }
  function draw(message) {
    var row = rows[message.id];
    if (!row) {
      row = rows[message.id] = document.createElement("li");
      sent.insertBefore(row, sent.firstChild);
    }
    row.textContent = time(message.sent_at) + " — " + message.unit + " : " + message.text + " (" +
      (message.acknowledged_at ? labels.readBy + " " + message.acknowledged_by + ", " + time(message.acknowledged_at)
        : labels.unread) + ")";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true; status.textContent = "";
    if (!unitSelect.value) { unitSelect.focus(); return; }
    var name = unitSelect.options[unitSelect.selectedIndex].textContent;
    window.confianceApi("POST", "operations/units/" + unitSelect.value + "/messages",
      {text: text.value, acknowledge_sensitive: ack.checked}).then(function (message) {
      draw(message);
      status.textContent = labels.sentTo + " " + name + ".";
      text.value = ""; ack.checked = false; ackRow.hidden = true;
    }).catch(function (failure) {
      error.textContent = failure.message; error.hidden = false;
      if (failure.data && failure.data.code === "operations_sensitive_data") { ackRow.hidden = false; }
    });
  });

  // Acknowledgements arrive on the console's stream.
  if (window.confianceConsole && window.confianceConsole.onLive) {
    window.confianceConsole.onLive("operations.unit_message", function (message) {
      if (rows[message.id]) { draw(message); }
    });
  }
})();
