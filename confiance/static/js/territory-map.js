// Territory map: our own layers always show; background tiles only when a tile URL is configured.
(function () {
  "use strict";
  var element = document.getElementById("territory-map");
  if (!element || !window.L) { return; }
  var map = L.map(element, {keyboard: true});
  window.confianceBasemap(map);
  var styles = {
    commune: {color: "#1d3b8f", weight: 3, fillOpacity: 0.05},
    sector: {color: "#7a3e00", weight: 1.5, dashArray: "4 4", fillOpacity: 0},
    zone: {color: "#8f1d5a", weight: 2, fillOpacity: 0.2}
  };
  var list = document.getElementById("territory-list");
  fetch(element.dataset.geojson, {credentials: "same-origin"})
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        style: function (feature) { return styles[feature.properties.layer] || {}; },
        onEachFeature: function (feature, featureLayer) {
          var p = feature.properties;
          var label = p.name + (p.layer === "commune" ? " (" + p.code + ")" : " — " + (p.commune || ""));
          var text = document.createElement("span");  // Leaflet writes a string as HTML: give it the text
          text.textContent = label;
          featureLayer.bindTooltip(text);
          if (list) {
            var item = document.createElement("li");
            item.className = "layer-" + p.layer;
            item.textContent = (element.dataset["label" + p.layer.charAt(0).toUpperCase() + p.layer.slice(1)] || "") + " : " + label;
            list.appendChild(item);
          }
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds()); } else { map.setView([46.6, 2.4], 6); }
      element.dataset.loaded = String(layer.getLayers().length);
    });
})();
