// A text box with a limit counts what has been typed under it ("120 / 5000"), as the person
// types; the limit itself is written in the page, so without scripts it is still said. Forms
// that arrive later (an action panel's form, fetched when opened) count too.
(function () {
  "use strict";
  function show(counter) {
    var box = document.getElementById(counter.getAttribute("data-count-for"));
    if (!box) return;
    var max = box.getAttribute("maxlength");
    counter.textContent = counter.getAttribute("data-count-text")
      .replace("{n}", String(box.value.length)).replace("{max}", max || "");
    counter.hidden = false;
    counter.classList.toggle("text-danger", !!max && box.value.length >= Number(max));
  }
  function showAll(root) {
    root.querySelectorAll("[data-count-for]").forEach(show);
  }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.id) return;
    var counter = document.querySelector('[data-count-for="' + box.id + '"]');
    if (counter) show(counter);
  });
  document.addEventListener("htmx:load", function (event) { showAll(event.target); });
  showAll(document);
})();
