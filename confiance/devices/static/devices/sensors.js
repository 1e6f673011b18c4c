// Shared by the sensors page, the sensor page and the console layer: markers coloured by state, values as text,
// the legend as a map control, and the chart of a quantity read from the aggregates. Text reaches the DOM as text.
(function () {
  "use strict";
  var STATES = ["ok", "alarm", "offline", "unknown", "disabled"];
  var lang = document.documentElement.lang || "fr";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function number(value) {
    return Number(value).toLocaleString(lang, {maximumFractionDigits: 2});
  }
  function valueText(item) {
    return item.label + " " + (item.text || number(item.value) + (item.unit ? " " + item.unit : ""));
  }
  function clock(iso) {
    return new Date(iso).toLocaleTimeString(lang, {hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris"});
  }
  function dateTime(iso) {
    if (!iso) { return ""; }
    return new Date(iso).toLocaleString(lang, {day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit",
      timeZone: "Europe/Paris"});
  }
  function stateClass(state) { return STATES.indexOf(state) >= 0 ? "state-" + state : "state-unknown"; }
  function icon(device) {
    // The class names are ours (a closed list); no device text goes into the icon's HTML.
    return L.divIcon({className: "sensor-icon " + stateClass(device.state), iconSize: [22, 22], iconAnchor: [11, 11],
      html: "<span></span>"});
  }
  function tooltip(device) {
    var parts = [device.name, device.state_label];
    (device.values || []).forEach(function (item) { parts.push(valueText(item)); });
    return parts.join(" — ");
  }
  function marker(device) {
    var result = L.marker([device.lat, device.lon], {icon: icon(device), keyboard: true, title: tooltip(device),
      alt: device.name, riseOnHover: true, zIndexOffset: device.state === "alarm" ? 1000 : 0});
    result.bindTooltip(el("span", tooltip(device)));  // an element: Leaflet writes a string as HTML
    return result;
  }
  function update(markerLayer, device) {
    markerLayer.setIcon(icon(device));
    markerLayer.setTooltipContent(el("span", tooltip(device)));
    markerLayer.setZIndexOffset(device.state === "alarm" ? 1000 : 0);
  }
  function legend(map, items, title) {  // top right, under the layers button: the bottom left holds the page's own legend
    var control = L.control({position: "topright"});
    control.onAdd = function () {
      var box = el("ul", null, "sensor-legend leaflet-control");
      box.setAttribute("aria-label", title);
      items.forEach(function (pair) {
        var item = el("li");
        item.appendChild(el("span", "", "state-dot " + stateClass(pair[0])));
        item.appendChild(document.createTextNode(pair[1]));
        box.appendChild(item);
      });
      return box;
    };
    control.addTo(map);
    return control;
  }
  function baseMap(element) {
    var map = L.map(element, {keyboard: true});
    window.confianceBasemap(map);
    return map;
  }
  function outlines(map, url, then) {
    // The communes' outlines, over the base layer (js/basemap.js).
    return fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : {features: []}; })
      .then(function (collection) {
        collection.features = (collection.features || []).filter(function (f) {
          return !f.properties || !f.properties.layer || f.properties.layer === "commune";
        });
        var layer = L.geoJSON(collection, {interactive: false,
          style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.04},
          onEachFeature: function (feature, shape) {
            // The commune's name where tiles would have written it (text, through Leaflet's tooltip as text).
            var name = feature.properties && feature.properties.name;
            if (name) {
              L.tooltip({permanent: true, direction: "center", className: "commune-label", interactive: false})
                .setLatLng(shape.getBounds().getCenter()).setContent(document.createTextNode(name)).addTo(map);
            }
          }}).addTo(map);
        layer.bringToBack();
        if (then) { then(layer); }
        return layer;
      });
  }
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function post(url, fields) {
    var body = new FormData();
    Object.keys(fields || {}).forEach(function (key) { body.append(key, fields[key]); });
    return fetch(url, {method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": csrf(), "Accept": "application/json"}}).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { var error = new Error(data.message || response.statusText); error.data = data; throw error; }
        return data;
      });
    });
  }

  // --- Chart of one quantity (Chart.js), from the aggregates --------------------------------------
  function chart(canvas, emptyNode, url, labels) {
    var instance = null;
    function draw(series) {
      var points = series.points || [];
      emptyNode.hidden = points.length > 0;
      canvas.hidden = points.length === 0;
      canvas.setAttribute("aria-label", series.quantity_label + " — " + series.period_label);
      var data = {
        labels: points.map(function (p) { return series.period === "heures" ? clock(p.at) : dateTime(p.at); }),
        datasets: [
          {label: labels.max, data: points.map(function (p) { return p.max; }), borderColor: "rgba(29,59,143,.25)",
            backgroundColor: "rgba(29,59,143,.12)", borderWidth: 1, fill: "+1", pointRadius: 0},
          {label: labels.min, data: points.map(function (p) { return p.min; }), borderColor: "rgba(29,59,143,.25)",
            borderWidth: 1, fill: false, pointRadius: 0},
          {label: labels.mean + (series.unit ? " (" + series.unit + ")" : ""),
            data: points.map(function (p) { return p.mean; }), borderColor: "#1d3b8f", borderWidth: 2, fill: false,
            pointRadius: points.length < 40 ? 2 : 0}
        ]
      };
      if (instance) { instance.data = data; instance.update("none"); return; }
      instance = new Chart(canvas, {type: "line", data: data, options: {animation: false, maintainAspectRatio: false,
        interaction: {mode: "index", intersect: false},
        scales: {x: {ticks: {maxTicksLimit: 6, maxRotation: 0}},
          y: {title: {display: !!series.unit, text: series.unit}}},
        plugins: {legend: {labels: {boxWidth: 12}}}}});
    }
    function load(query) {
      return fetch(url + "?" + new URLSearchParams(query).toString(), {credentials: "same-origin"})
        .then(function (r) { return r.json(); }).then(function (series) {
          if (series.points) { draw(series); } else { emptyNode.textContent = series.message || ""; emptyNode.hidden = false; }
          return series;
        });
    }
    return {load: load, destroy: function () { if (instance) { instance.destroy(); instance = null; } }};
  }

  window.confianceSensors = {el: el, number: number, valueText: valueText, dateTime: dateTime, marker: marker,
    update: update, legend: legend, baseMap: baseMap, outlines: outlines, post: post, chart: chart,
    stateClass: stateClass};
})();
