// Address box: proposals from the imported address file (/api/v1/addresses/) as one types, in the ARIA combobox
// pattern (arrows, Enter, Escape, a status line read aloud); choosing one moves the map there (data-map) or fills
// the form's position fields (data-lat-input / data-lon-input, whose "change" places the form's marker).
// Text only: every proposal reaches the page through textContent.
(function () {
  "use strict";
  var DELAY = 200;  // ms after the last key before asking

  function setup(box) {
    if (box.dataset.ready) { return; }
    box.dataset.ready = "1";
    var input = box.querySelector("input[role=combobox]");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-status]");
    var labels = box.dataset;
    var hits = [], active = -1, timer = null, asked = "", marker = null;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, position) {
        option.setAttribute("aria-selected", position === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function show(results) {
      hits = results;
      list.replaceChildren();
      active = -1;
      results.forEach(function (hit, index) {
        var option = document.createElement("li");
        option.id = input.id + "-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = hit.label;
        if (hit.kind === "street") {
          var kind = document.createElement("span");
          kind.className = "kind";
          kind.textContent = "(" + labels.street + ")";
          option.appendChild(kind);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        list.appendChild(option);
      });
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = !results.length ? labels.none
        : results.length === 1 ? labels.one : labels.many.replace("%(count)s", String(results.length));
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < 2) { close(); status.textContent = ""; return; }
      if (text === asked) { return; }
      asked = text;
      fetch(labels.url + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
        .then(function (response) {
          if (response.status === 400) { return []; }  // nothing searchable yet (a lone number, a single letter)
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (results) { if (asked === text) { show(results); } })
        .catch(function () { close(); status.textContent = labels.error; asked = ""; });
    }

    function moveMap(hit) {
      var element = labels.map && document.getElementById(labels.map);
      var map = element && element.confianceMap;
      if (!map || labels.latInput) { return; }  // a form's own marker follows its position fields
      map.setView([hit.lat, hit.lon], hit.kind === "street" ? 16 : 17);
      if (marker) { marker.remove(); }  // the map has no marker of its own: show where the address is
        var text = document.createElement("span");
        text.textContent = hit.label;
      marker = L.circleMarker([hit.lat, hit.lon], {radius: 10, color: "#1d3b8f", weight: 3, fillOpacity: 0.15})
        .bindTooltip(text, {permanent: true, direction: "top"}).addTo(map);
    }

    function choose(index) {
      var hit = hits[index];
      if (!hit) { return; }
      input.value = hit.label;
      asked = hit.label;
      close();
      status.textContent = labels.chosen + " " + hit.label;
      var address = labels.addressInput && document.getElementById(labels.addressInput);
      if (address && (!address.value || address.dataset.fromSearch === "1")) {
        address.value = hit.label;
        address.dataset.fromSearch = "1";
      }
      var lat = labels.latInput && document.getElementById(labels.latInput);
      var lon = labels.lonInput && document.getElementById(labels.lonInput);
      if (lat && lon) {
        lat.value = hit.lat.toFixed(6);
        lon.value = hit.lon.toFixed(6);
        lon.dispatchEvent(new Event("change", {bubbles: true}));
      }
      moveMap(hit);
      box.dispatchEvent(new CustomEvent("confiance:address", {bubbles: true, detail: hit}));
    }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, DELAY); });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) { highlight(active + 1); } else if (hits.length) { show(hits); highlight(0); } else { ask(); }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();  // Enter in the address box chooses; it never submits the form around it
        if (open) { choose(active >= 0 ? active : 0); } else { asked = ""; ask(); }
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        event.stopPropagation();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() { document.querySelectorAll("[data-address-search]").forEach(setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
