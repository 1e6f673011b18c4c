// Alert subscription form, web push: asks the browser's permission, registers the service worker, subscribes with
// the installation's VAPID public key and puts the subscription in the form's hidden fields (posted with the form).
// A browser without push, or a refusal, is said in French; e-mail and SMS stay available either way.
(function () {
  "use strict";
  var root = document.getElementById("subscribe-push");
  if (!root) { return; }
  var button = document.getElementById("subscribe-push-button");
  var status = document.getElementById("subscribe-push-status");
  var fields = {endpoint: document.getElementById("id_push_endpoint"),
                p256dh: document.getElementById("id_push_p256dh"), auth: document.getElementById("id_push_auth")};
  function say(text) { status.textContent = text; }
  function keyBytes(base64) {  // the same decoding as operations/field.js
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function fill(subscription) {
    var json = subscription ? subscription.toJSON() : {keys: {}};
    fields.endpoint.value = json.endpoint || "";
    fields.p256dh.value = (json.keys && json.keys.p256dh) || "";
    fields.auth.value = (json.keys && json.keys.auth) || "";
  }
  var supported = root.dataset.key && window.isSecureContext !== false && "serviceWorker" in navigator &&
    "PushManager" in window && "Notification" in window;
  if (!supported) { say(root.dataset.unsupported); root.dataset.state = "unsupported"; return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    Promise.resolve(window.Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return navigator.serviceWorker.register(root.dataset.worker);  // scope: /alertes/, where it is served
    }).then(function () { return navigator.serviceWorker.ready; }).then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        return existing || registration.pushManager.subscribe({userVisibleOnly: true,
          applicationServerKey: keyBytes(root.dataset.key)});
      });
    }).then(function (subscription) {
      fill(subscription);
      say(root.dataset.on);
      root.dataset.state = "subscribed";
    }).catch(function (error) {
      fill(null);
      button.disabled = false;
      say(error && error.message === "denied" ? root.dataset.denied : root.dataset.failed);
      root.dataset.state = "refused";
    });
  });
})();
