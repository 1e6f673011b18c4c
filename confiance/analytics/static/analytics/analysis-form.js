// Analysis form: an imported dataset implies its commune. Choosing one checks that commune, locks the others
// and the sources (they do not apply to an imported file), and says so in words; the server checks the same.
(function () {
  "use strict";
  const select = document.getElementById("id_dataset");
  const source = document.getElementById("dataset-areas");
  if (!select || !source) { return; }
  const areas = JSON.parse(source.textContent) || {};
  const note = document.getElementById("dataset-area");
  const communes = Array.from(document.querySelectorAll("input[name=communes]"));
  const sources = Array.from(document.querySelectorAll("input[name=sources]"));
  function apply() {
    const area = areas[select.value];
    communes.forEach(function (input) {
      if (area) {
        input.checked = input.value === area.commune;
        input.disabled = input.value !== area.commune;
      } else {
        input.disabled = false;
      }
    });
    sources.forEach(function (input) { input.disabled = Boolean(area); });
    if (note) { note.textContent = area ? area.note : ""; }
  }
  select.addEventListener("change", apply);
  apply();
})();
