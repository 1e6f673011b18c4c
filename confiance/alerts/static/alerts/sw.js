// Service worker of the alert subscriptions (served at /alertes/sw.js, scope /alertes/): shows an alert pushed
// while no page is open; a click opens the alert's public page. Same message shape as operations/sw.js.
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Alerte", {
    body: data.body || "", tag: data.tag || "alerte", renotify: true, requireInteraction: true,
    data: {url: data.url || "/alertes/"}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/alertes/";
  event.waitUntil(self.clients.openWindow(url));
});
