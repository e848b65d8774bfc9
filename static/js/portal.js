// Small behaviours the server-rendered pages rely on. No inline scripts anywhere: the CSP
// allows scripts from this origin only.
(function () {
  "use strict";

  // After an htmx swap, move focus to the new content so keyboard and screen-reader users
  // know something changed: an element marked data-focus-after-swap; else, when a form came
  // back refused, its first field in error (its message is read with it) or its alert; else
  // the first heading.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    var focusable = target.querySelector("[data-focus-after-swap]") ||
      target.querySelector("[aria-invalid='true']") ||
      target.querySelector("[role=alert]") ||
      target.querySelector("h1, h2, h3");
    if (focusable) {
      // Headings and messages take focus only from script; fields already can.
      var native = /^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(focusable.tagName);
      if (!native && !focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
  });

  // Close an open header menu with Escape, returning focus to its toggle.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // A click outside an open header menu closes it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Forms marked data-confirm ask before a destructive action.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
