// On a phone the header's menu (navigation, language, account) folds behind one button.
// Without scripts the header shows everything, as on a desk.
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  var narrow = window.matchMedia("(max-width: 575.98px)");
  function fold() {
    header.classList.toggle("js-menu", narrow.matches);
    toggle.hidden = !narrow.matches;
    if (!narrow.matches) {
      header.classList.remove("menu-open");
      toggle.setAttribute("aria-expanded", "false");
    }
  }
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  narrow.addEventListener("change", fold);
  fold();
})();
