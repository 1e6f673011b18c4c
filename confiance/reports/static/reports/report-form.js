// Citizen report form: place a pin, load the commune's categories, show notice, questions and nearby reports.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.L) { return; }
  var labels = document.getElementById("labels").dataset;
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var select = document.getElementById("id_service_code");
  var notice = document.getElementById("category-notice");
  var attributesBox = document.getElementById("attributes");
  var nearbyBox = document.getElementById("nearby");
  var nearbyList = document.getElementById("nearby-list");
  var communeName = document.getElementById("commune-name");
  var initial = JSON.parse(document.getElementById("attributes-initial").textContent || "{}") || {};
  var attributeErrors = JSON.parse(document.getElementById("attribute-errors").textContent || "{}") || {};
  var viewInput = document.getElementById("map-view");
  var view = parseView(form.dataset.view);
  var categories = {};
  var mapElement = document.getElementById("report-map");
  // zoomSnap: a quarter step, so the communes fill the frame at start instead of the whole zoom below.
  var map = L.map(mapElement, {keyboard: true, zoomSnap: 0.25});
  window.confianceBasemap(map);
  var marker = null;
  if (view) { map.setView([view[0], view[1]], view[2]); }  // after a refused post: the map as it was left

  function parseView(text) {  // "lat,lon,zoom", as this page writes it in its hidden field
    var parts = (text || "").split(",").map(Number);
    return parts.length === 3 && parts.every(isFinite) ? parts : null;
  }

  function keepView() {
    var centre = map.getCenter();
    viewInput.value = centre.lat.toFixed(5) + "," + centre.lng.toFixed(5) + "," + Math.round(map.getZoom());
  }
  map.on("moveend", keepView);

  fetch(form.dataset.territoryUrl).then(function (r) { return r.json(); }).then(function (collection) {
    var layer = L.geoJSON(collection, {style: {color: "#1d3b8f", weight: 2, fillOpacity: 0.04}}).addTo(map);
    if (latInput.value && lonInput.value) {
      place(parseFloat(latInput.value), parseFloat(lonInput.value), !view);
    } else if (view) {
      keepView();
    } else if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), {padding: [10, 10]});
    } else {
      map.setView([46.6, 2.4], 6);
    }
  });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function place(lat, lon, zoom) {
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon], {draggable: true}).addTo(map); }
    marker.off("dragend").on("dragend", function () { var p = marker.getLatLng(); place(p.lat, p.lng, false); });
    if (zoom) { map.setView([lat, lon], 17); }
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    loadCategories(lat, lon);
  }

  function loadCategories(lat, lon) {
    fetch(form.dataset.categoriesUrl + "?lat=" + lat + "&lon=" + lon).then(function (r) {
      return r.json().then(function (body) { return {ok: r.ok, body: body}; });
    }).then(function (result) {
      if (!result.ok) { communeName.textContent = labels.outside; return; }
      communeName.textContent = labels.commune + " " + result.body.commune.name;
      var current = select.value;
      categories = {};
      while (select.options.length > 1) { select.remove(1); }
      var groups = {};
      result.body.categories.forEach(function (category) {
        categories[category.code] = category;
        var key = category.group || "";
        if (!groups[key]) {
          groups[key] = key ? el("optgroup", {label: key}) : select;
          if (key) { select.appendChild(groups[key]); }
        }
        var option = el("option", {value: category.code}, category.name);
        if (category.code === current) { option.selected = true; }
        groups[key].appendChild(option);
      });
      showCategory();
    });
  }

  function questionInput(attribute) {
    var name = "attribute[" + attribute.code + "]";
    var id = "attr-" + attribute.code;
    var value = initial[attribute.code];
    var wrapper = el("div", {"class": "field"});
    var label = el("label", {"for": id}, attribute.description + (attribute.required ? " (" + labels.required + ")" : ""));
    var described = [];
    var input;
    if (attribute.datatype === "singlevaluelist" || attribute.datatype === "multivaluelist") {
      input = el("select", {id: id, name: name});
      if (attribute.datatype === "multivaluelist") { input.multiple = true; } else { input.appendChild(el("option", {value: ""}, "—")); }
      attribute.values.forEach(function (item) {
        var option = el("option", {value: item.key}, item.name);
        if (value === item.key || (Array.isArray(value) && value.indexOf(item.key) >= 0)) { option.selected = true; }
        input.appendChild(option);
      });
    } else if (attribute.datatype === "text") {
      input = el("textarea", {id: id, name: name, rows: "3"});
      input.value = value || "";
    } else {
      var type = {number: "number", datetime: "datetime-local"}[attribute.datatype] || "text";
      input = el("input", {id: id, name: name, type: type});
      if (type === "number") { input.step = "any"; }
      input.value = value || "";
    }
    if (attribute.required) { input.required = true; }
    wrapper.appendChild(label);
    if (attribute.help) { wrapper.appendChild(el("p", {"class": "help", id: id + "-help"}, attribute.help)); described.push(id + "-help"); }
    if (attributeErrors[attribute.code]) {  // the service's refusal, next to its question
      wrapper.classList.add("has-error");
      wrapper.appendChild(el("p", {"class": "error", id: id + "-error"}, attributeErrors[attribute.code]));
      described.push(id + "-error");
      input.setAttribute("aria-invalid", "true");
    }
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
    wrapper.appendChild(input);
    return wrapper;
  }

  function showCategory() {
    var category = categories[select.value];
    attributesBox.textContent = "";
    notice.hidden = !(category && category.notice);
    notice.textContent = category && category.notice ? category.notice : "";
    if (category) { category.attributes.forEach(function (a) { attributesBox.appendChild(questionInput(a)); }); }
    loadNearby();
  }

  function loadNearby() {
    nearbyList.textContent = "";
    nearbyBox.hidden = true;
    if (!select.value || !latInput.value || !lonInput.value) { return; }
    var url = form.dataset.nearbyUrl + "?lat=" + latInput.value + "&lon=" + lonInput.value +
      "&service_code=" + encodeURIComponent(select.value);
    fetch(url).then(function (r) { return r.json(); }).then(function (body) {
      (body.reports || []).forEach(function (report) {
        var item = el("li");
        item.appendChild(document.createTextNode("n° " + report.id + " — " + (report.address || "") + " (" +
          report.distance_m + " " + labels.metres + ", " + report.status_label + ") "));
        item.appendChild(el("a", {href: report.url}, labels.follow));
        nearbyList.appendChild(item);
      });
      nearbyBox.hidden = !nearbyList.children.length;
    });
  }

  map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, false); });
  select.addEventListener("change", showCategory);
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      if (!isNaN(lat) && !isNaN(lon)) { place(lat, lon, true); }
    });
  });
  document.getElementById("locate-me").addEventListener("click", function () {
    if (!navigator.geolocation) { communeName.textContent = labels.noGeoloc; return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      communeName.textContent = labels.located;
      place(position.coords.latitude, position.coords.longitude, true);
    }, function () { communeName.textContent = labels.noGeoloc; }, {enableHighAccuracy: true, timeout: 10000});
  });
})();
