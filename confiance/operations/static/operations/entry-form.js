// Main courante form: the nature list follows the chosen commune (each commune keeps its own natures).
(function () {
  "use strict";
  var data = document.getElementById("entry-natures");
  if (!data) { return; }
  var natures = JSON.parse(data.textContent);
  document.querySelectorAll("select[name='commune']").forEach(function (communeSelect) {
    var form = communeSelect.form;
    var natureSelect = form ? form.querySelector("select[name='nature']") : null;
    if (!natureSelect) { return; }
    communeSelect.addEventListener("change", function () {
      var previous = natureSelect.value;
      while (natureSelect.firstChild) { natureSelect.removeChild(natureSelect.firstChild); }
      (natures[communeSelect.value] || []).forEach(function (row) {
        var option = document.createElement("option");
        option.value = String(row[0]);
        option.textContent = row[1];
        if (option.value === previous) { option.selected = true; }
        natureSelect.appendChild(option);
      });
    });
  });
}());
