// The shell's small behaviours, served as a file (the Content-Security-Policy runs no
// inline script): the phone menu, print buttons.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest("[data-menu-toggle]");
    if (toggle) {
      var nav = document.getElementById(toggle.getAttribute("aria-controls"));
      if (!nav) return;
      var open = nav.classList.toggle("wb-nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    if (e.target.closest("[data-print]")) window.print();
  });
})();
