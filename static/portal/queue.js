// The queue's "tick all on this page" button: shown only when scripts run (without them each
// case is ticked by hand and the bulk actions work the same).
(function () {
  "use strict";
  var button = document.querySelector("[data-pick-all]");
  if (!button) return;
  var boxes = document.querySelectorAll('input[type="checkbox"][name="refs"]');
  button.hidden = false;
  button.addEventListener("click", function () {
    var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
    boxes.forEach(function (b) { b.checked = !all; });
  });
})();
