// JSON calls to /api/v1 from the agents' pages: session cookie, CSRF header, the API's error shape kept.
window.confianceApi = function (method, path, body) {
  "use strict";
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return fetch("/api/v1/" + path, {method: method, credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": match ? decodeURIComponent(match[1]) : ""},
    body: body ? JSON.stringify(body) : undefined}).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok) { var error = new Error(data.message || response.statusText); error.data = data; throw error; }
      return data;
    });
  });
};
