// Field page: live mission and messages (SSE, scope "terrain"), sound and vibration, Web Push subscription,
// milestone and status buttons, position sharing, and the main courante form answered on the page itself.
(function () {
  "use strict";
  var labels = document.getElementById("field-labels").dataset;
  var card = document.getElementById("f-unit");

  function post(path, body) { return window.confianceApi("POST", "operations/" + path, body); }

  // Parse a page of this site that the server rendered (its strings escaped there) and take elements from it.
  function fetchPage(url, options) {
    return fetch(url, Object.assign({credentials: "same-origin"}, options || {})).then(function (response) {
      return response.text().then(function (text) {
        return {response: response, doc: new DOMParser().parseFromString(text, "text/html")};
      });
    });
  }
  function replaceFrom(doc, id) {
    var fresh = doc.getElementById(id);
    var current = document.getElementById(id);
    if (fresh && current) { current.replaceWith(document.importNode(fresh, true)); }
  }

  // --- Main courante form: warning and confirmation on this page ---------------------------------
  var entryForm = document.getElementById("f-entry");
  var entryStatus = document.getElementById("f-entry-status");
  entryForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = entryForm.querySelector("button[type=submit]");
    button.disabled = true;
    entryStatus.textContent = "";
    fetchPage(entryForm.action, {method: "POST", body: new FormData(entryForm)}).then(function (result) {
      var path = new URL(result.response.url, window.location.href).pathname;
      if (result.response.redirected && path === window.location.pathname) {
        // Saved: the logbook view sent us back here; its confirmation is in the page it redirected to.
        var confirmation = result.doc.querySelector(".messages li");
        entryStatus.textContent = confirmation ? confirmation.textContent : labels.saved;
        var fresh = result.doc.getElementById("f-entry-body");
        if (fresh) { document.getElementById("f-entry-body").replaceWith(document.importNode(fresh, true)); }
        else { entryForm.reset(); }
        entryStatus.focus();
        return;
      }
      // Refused or warned: the logbook page's form holds the warning, the errors and the confirmation box.
      var text = result.doc.querySelector("form[method=post] [name=text]");
      var source = text ? text.closest("form") : null;
      if (!source) { entryStatus.textContent = labels.entryFailed; return; }
      var body = document.getElementById("f-entry-body");
      while (body.firstChild) { body.removeChild(body.firstChild); }
      Array.prototype.forEach.call(source.children, function (node) {
        if (node.matches("input[name=csrfmiddlewaretoken], input[name=next]") || node.querySelector("button[type=submit]")) {
          return;
        }
        body.appendChild(document.importNode(node, true));
      });
      var alert = body.querySelector(".warning-box, .form-errors, .field-error, [aria-invalid=true]");
      if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
    }).catch(function () { entryStatus.textContent = labels.entryFailed; })
      .finally(function () { button.disabled = false; });
  });
  entryStatus.setAttribute("tabindex", "-1");

  if (!card) { return; }
  var unitId = parseInt(card.dataset.unit, 10);
  var message = document.getElementById("f-message");
  function say(text) { message.textContent = text; }

  // --- Sound and vibration -----------------------------------------------------------------------
  var audio = null;
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { audio = new Context(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);
  function beep() {
    if (!audio || audio.state !== "running") { return; }
    var start = audio.currentTime;
    [0, 0.25].forEach(function (offset) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.25, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.2);
      oscillator.connect(gain); gain.connect(audio.destination);
      oscillator.start(start + offset); oscillator.stop(start + offset + 0.2);
    });
  }
  function alertAgent(text) {
    say(text);
    beep();
    if (navigator.vibrate) { navigator.vibrate([200, 100, 200]); }
  }

  // --- Mission map -------------------------------------------------------------------------------
  function drawMap() {
    var mapElement = document.getElementById("f-map");
    if (!mapElement || !window.L) { return; }
    var target = [parseFloat(mapElement.dataset.lat), parseFloat(mapElement.dataset.lon)];
    var map = L.map(mapElement).setView(target, 16);
    window.confianceBasemap(map);
    L.marker(target).addTo(map);
  }
  drawMap();

  // The mission and the messages are drawn by the server: take them again from a fresh copy of this page.
  var refreshing = null;
  function refresh() {
    if (refreshing) { return refreshing; }
    refreshing = fetchPage(window.location.pathname).then(function (result) {
      replaceFrom(result.doc, "f-mission");
      replaceFrom(result.doc, "f-messages");
      var freshCard = result.doc.getElementById("f-unit");
      if (freshCard) { card.dataset.assignment = freshCard.dataset.assignment; }
      drawMap();
    }).finally(function () { refreshing = null; });
    return refreshing;
  }

  document.addEventListener("click", function (event) {
    var step = event.target.closest("[data-step]");
    if (step) {
      var assignment = step.closest("[data-assignment]").dataset.assignment;
      post("assignments/" + assignment + "/milestone", {step: step.dataset.step}).then(function () {
        say(labels.saved); refresh();
      }).catch(function (error) { say(error.message); });
      return;
    }
    var ack = event.target.closest("[data-ack]");
    if (ack) {
      ack.disabled = true;
      post("messages/" + ack.dataset.ack + "/read").then(refresh)
        .catch(function (error) { ack.disabled = false; say(error.message); });
    }
  });
  document.querySelectorAll("[data-status]").forEach(function (button) {
    button.addEventListener("click", function () {
      post("units/" + unitId + "/status", {status_code: button.dataset.status}).then(function (unit) {
        document.getElementById("f-status").textContent = unit.status_code + " · " + unit.status_label;
        document.querySelectorAll("[data-status]").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        say(labels.saved);
      }).catch(function (error) { say(error.message); });
    });
  });

  // --- Live events (this unit's only: the stream's "terrain" scope) ------------------------------
  var source = null;
  var lastId = "";
  function connect() {
    if (!window.EventSource) { return; }
    if (source) { source.close(); }
    var url = card.dataset.stream + (lastId ? "&last_event_id=" + encodeURIComponent(lastId) : "");
    source = new EventSource(url);
    source.onopen = function () { card.dataset.live = "1"; };
    source.onerror = function () { card.dataset.live = "0"; };
    function on(type, handler) {
      source.addEventListener(type, function (event) {
        lastId = event.lastEventId || lastId;
        handler(JSON.parse(event.data).payload);
      });
    }
    on("operations.unit", function (unit) {
      if (unit.id !== unitId) { return; }
      document.getElementById("f-status").textContent = unit.status_code + " · " + unit.status_label;
      document.querySelectorAll("[data-status]").forEach(function (button) {
        button.setAttribute("aria-pressed", button.dataset.status === unit.status_code ? "true" : "false");
      });
      var assignment = unit.assignment ? String(unit.assignment.id) : "";
      if (assignment === card.dataset.assignment) { return; }
      if (unit.assignment) { alertAgent(labels.mission + " : " + unit.assignment.intervention_number); }
      else { say(labels.ended); }
      // Another engagement: the stream follows the new intervention's changes once it reconnects.
      refresh().then(connect);
    });
    on("operations.intervention_changed", function (change) {
      say(labels.changed + " : " + change.number + " — " + change.status_label);
      refresh();
    });
    on("operations.unit_message", function (sent) {
      if (sent.unit_id !== unitId) { return; }
      if (!sent.acknowledged_at) { alertAgent(labels.incoming + " : " + sent.text); }
      refresh();
    });
    source.addEventListener("reset", function () {
      lastId = "";
      source.close();
      // A reset follows a change of rights or of crew: on another unit (or none), the page is drawn again for it.
      fetchPage(window.location.pathname).then(function (result) {
        var freshCard = result.doc.getElementById("f-unit");
        var freshUnit = freshCard ? parseInt(freshCard.dataset.unit, 10) : NaN;
        if (freshUnit !== unitId) { window.location.reload(); return; }
        refresh().then(connect);
      }).catch(function () { window.setTimeout(connect, 3000); });
    });
  }
  connect();

  // --- Web Push: notifications while the page is closed ------------------------------------------
  var pushButton = document.getElementById("f-push");
  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function showPush(subscribed) {
    pushButton.hidden = false;
    pushButton.textContent = subscribed ? labels.pushStop : labels.pushStart;
    pushButton.setAttribute("aria-pressed", subscribed ? "true" : "false");
  }
  if (pushButton.dataset.key && "serviceWorker" in navigator && "PushManager" in window && window.Notification) {
    var registration = navigator.serviceWorker.register(pushButton.dataset.worker, {scope: "/agents/terrain/"});
    registration.then(function (worker) { return worker.pushManager.getSubscription(); })
      .then(function (subscription) { showPush(!!subscription); })
      .catch(function () { pushButton.hidden = true; });
    pushButton.addEventListener("click", function () {
      registration.then(function (worker) {
        return worker.pushManager.getSubscription().then(function (subscription) {
          if (subscription) {
            var endpoint = subscription.endpoint;
            return subscription.unsubscribe().then(function () {
              return post("push/subscriptions/delete", {endpoint: endpoint});
            }).then(function () { showPush(false); say(labels.pushOff); });
          }
          return Notification.requestPermission().then(function (permission) {
            if (permission !== "granted") { say(labels.pushDenied); return null; }
            return worker.pushManager.subscribe({userVisibleOnly: true,
              applicationServerKey: keyBytes(pushButton.dataset.key)}).then(function (created) {
              var json = created.toJSON();
              return post("push/subscriptions", {endpoint: json.endpoint, keys: json.keys});
            }).then(function () { showPush(true); say(labels.pushOn); });
          });
        });
      }).catch(function (error) { say(error.message); });
    });
  }

  // --- Position sharing --------------------------------------------------------------------------
  var share = document.getElementById("f-share");
  var watch = null;
  var lastSent = 0;
  share.addEventListener("click", function () {
    if (watch !== null) {
      navigator.geolocation.clearWatch(watch); watch = null;
      share.textContent = labels.stopped; share.setAttribute("aria-pressed", "false");
      return;
    }
    if (!navigator.geolocation) { say(labels.unavailable); return; }
    share.textContent = labels.stop; share.setAttribute("aria-pressed", "true");
    watch = navigator.geolocation.watchPosition(function (position) {
      var now = Date.now();
      if (now - lastSent < 10000) { return; }
      lastSent = now;
      post("units/" + unitId + "/position", {lat: position.coords.latitude, lon: position.coords.longitude,
        accuracy_m: position.coords.accuracy, recorded_at: new Date(position.timestamp).toISOString(),
        speed_kmh: position.coords.speed === null ? null : position.coords.speed * 3.6})
        .then(function () {
          document.getElementById("f-position").textContent = labels.sent + " " +
            new Date().toLocaleTimeString(document.documentElement.lang);
        }).catch(function (error) { say(error.message); });
    }, function () { say(labels.unavailable); }, {enableHighAccuracy: true, maximumAge: 5000});
  });
})();
