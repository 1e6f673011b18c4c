// An error summary (GOV.UK pattern): it takes the focus when the page opens; its links move the focus to the field
// and scroll its label into view rather than the bare input.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var label = document.querySelector("label[for='" + target.id + "']") || target;
    (target.closest("fieldset") || label).scrollIntoView();
    target.focus({preventScroll: true});
  });
})();
