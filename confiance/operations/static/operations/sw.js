// Service worker of the field page (served at /agents/terrain/sw.js): shows the Web Push notifications of a new
// mission or a message from the post while the page is closed; a click opens (or focuses) the field page.
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Confiance", {
    body: data.body || "", tag: data.tag || "confiance", renotify: true, requireInteraction: true,
    vibrate: [200, 100, 200], data: {url: data.url || "/agents/terrain/"}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/agents/terrain/";
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (new URL(windows[i].url).pathname === url && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(url);
  }));
});
