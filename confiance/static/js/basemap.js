// Base layer of every map: the configured tiles (CONFIANCE_TILE_URL) or, without them (or when they cannot be
// reached), a light base the platform draws itself from the road network and the territory it holds, with street
// names from the address file. Every map calls confianceBasemap(map) once, right after L.map(...).
// Loaded by base.html before Leaflet: nothing here touches L until a map calls it.
(function () {
  "use strict";
  var ROAD_STYLES = {
    motorway: ["#c9a44a", 7, "#f6cf6d", 5], trunk: ["#c9a44a", 7, "#f6cf6d", 5], primary: ["#c9a44a", 6, "#fbe3a0", 4],
    secondary: ["#a99f8a", 5, "#fdf0c4", 3.5], tertiary: ["#a99f8a", 4.5, "#ffffff", 3]
  };
  var MINOR = ["#b3a994", 3.5, "#ffffff", 2.2];
  var LABEL_ZOOM = 15;  // street names from this zoom
  var MAX_SPAN = 0.5;  // degrees: what the server draws in one box

  function config(map) {
    var body = document.body.dataset, own = map.getContainer().dataset;
    return {tiles: body.tiles || own.tiles || "", attribution: body.tileAttribution || own.attribution || "",
      roads: body.basemapRoads, outlines: body.basemapOutlines, streets: body.basemapStreets,
      label: body.basemapLabel || ""};
  }

  function pane(map, name, zIndex) {
    if (!map.getPane(name)) { map.createPane(name).style.zIndex = String(zIndex); }
    map.getPane(name).style.pointerEvents = "none";  // the base never takes a click from the map's own layers
    return name;
  }

  function box(bounds) {
    var centre = bounds.getCenter(), half = MAX_SPAN / 2;
    var west = Math.max(bounds.getWest(), centre.lng - half), east = Math.min(bounds.getEast(), centre.lng + half);
    var south = Math.max(bounds.getSouth(), centre.lat - half), north = Math.min(bounds.getNorth(), centre.lat + half);
    function f(value, low, high) { return Math.min(high, Math.max(low, value)).toFixed(5); }
    return [f(west, -180, 180), f(south, -90, 90), f(east, -180, 180), f(north, -90, 90)].join(",");
  }

  function getJson(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  // Widths are pixels at zoom 14; a street grows with the zoom as it would on paper, within reason.
  function widths(style, zoom) {
    var factor = Math.min(5, Math.max(0.6, Math.pow(2, (zoom - 14) / 1.6)));
    return [style[1] * factor, style[3] * factor];
  }

  function label(name, angle) {
    var text = document.createElement("span");  // a street name reaches the page as text, never as HTML
    text.textContent = name;
    var rotation = angle > 90 || angle < -90 ? 0 : -angle;  // the server gives (-90, 90]: text never upside down
    text.style.cssText = "position:absolute;left:0;top:0;white-space:nowrap;font:italic 11px/1 sans-serif;" +
      "color:#5b5346;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;" +
      "transform:translate(-50%,-50%) rotate(" + rotation + "deg);";
    return text;
  }

  function drawn(map, settings) {
    var element = map.getContainer();
    var renderer = L.svg({pane: pane(map, "confianceBase", 250), padding: 0.3});
    var outlines = L.geoJSON(null, {renderer: renderer, interactive: false, style: function (feature) {
      var sector = feature.properties.layer === "sector";
      return {color: sector ? "#a89f91" : "#8a8173", weight: sector ? 1 : 2, dashArray: sector ? "3 4" : null,
        fill: !sector, fillColor: "#efebe2", fillOpacity: sector ? 0 : 0.9, opacity: 0.9};
    }});
    function roadStyle(casing) {
      return function (feature) {
        var style = ROAD_STYLES[feature.properties.highway.replace("_link", "")] || MINOR;
        return {color: style[casing ? 0 : 2], weight: widths(style, map.getZoom())[casing ? 0 : 1], opacity: 1,
          lineCap: "round", lineJoin: "round"};
      };
    }
    var casings = L.geoJSON(null, {renderer: renderer, interactive: false, style: roadStyle(true)});
    var roads = L.geoJSON(null, {renderer: renderer, interactive: false, style: roadStyle(false)});
    var labels = L.layerGroup();
    var group = L.layerGroup([outlines, casings, roads, labels]).addTo(map);
    var labelPane = pane(map, "confianceBaseLabels", 350);
    var loaded = {roads: "", labels: ""};
    var timer = null;
    element.style.background = "#dfd9cc";  // outside the communes served; inside, their light fill
    element.dataset.basemap = "drawn";
    if (settings.label && map.attributionControl) { map.attributionControl.addAttribution(settings.label); }
    if (settings.outlines) {
      getJson(settings.outlines).then(function (collection) { outlines.addData(collection); }).catch(function () {});
    }

    function refresh() {
      var zoom = Math.round(map.getZoom()), bbox = box(map.getBounds().pad(0.3));
      var key = bbox + "/" + zoom;
      if (settings.roads && key !== loaded.roads) {
        loaded.roads = key;
        getJson(settings.roads + "?bbox=" + bbox + "&zoom=" + zoom).then(function (collection) {
          if (loaded.roads !== key) { return; }  // the map moved on meanwhile
          casings.clearLayers().addData(collection);
          roads.clearLayers().addData(collection);
          element.dataset.basemapRoads = String(collection.features.reduce(function (count, feature) {
            return count + feature.geometry.coordinates.length; }, 0));
        }).catch(function () { loaded.roads = ""; });
      }
      if (!settings.streets || zoom < LABEL_ZOOM) { labels.clearLayers(); loaded.labels = ""; return; }
      if (key === loaded.labels) { return; }
      loaded.labels = key;
      getJson(settings.streets + "?bbox=" + bbox).then(function (streets) {
        if (loaded.labels !== key) { return; }
        labels.clearLayers();
        streets.forEach(function (street) {
          L.marker([street.lat, street.lon], {pane: labelPane, interactive: false, keyboard: false,
            icon: L.divIcon({className: "basemap-label", html: label(street.name, street.angle), iconSize: [0, 0]})
          }).addTo(labels);
        });
        element.dataset.basemapLabels = String(streets.length);
      }).catch(function () { loaded.labels = ""; });
    }

    map.whenReady(refresh);
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
    return group;
  }

  window.confianceBasemap = function (map) {
    var settings = config(map), element = map.getContainer();
    element.confianceMap = map;  // the address box finds the map it moves here
    if (!settings.tiles) { return drawn(map, settings); }
    var tiles = L.tileLayer(settings.tiles, {maxZoom: 19, attribution: settings.attribution}).addTo(map);
    element.dataset.basemap = "tiles";
    var failures = 0;
    tiles.on("tileerror", function () {  // tiles unreachable (an isolated network): draw our own base under them
      failures += 1;
      if (failures === 3) { drawn(map, settings); }
    });
    return tiles;
  };
})();
