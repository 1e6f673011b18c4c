// Report page (agents): a response template fills the message and, when it has one, the status.
(function () {
  "use strict";
  var pick = document.getElementById("template-pick");
  if (!pick) { return; }
  pick.addEventListener("change", function () {
    var option = pick.options[pick.selectedIndex];
    if (!option.value) { return; }
    document.getElementById(pick.dataset.target).value = option.value;
    if (option.dataset.status) { document.getElementById(pick.dataset.statusTarget).value = option.dataset.status; }
  });
})();
