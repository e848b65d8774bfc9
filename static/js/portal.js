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
    // A live filter (a search form) updates its results as the person types or chooses: they
    // keep their place in the form, and the results' status line says how many match.
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.closest && source.closest("[role=search]")) return;
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

  // A form refused on a full page (it comes back with its errors, status 400): the person
  // lands on its first field in error, scrolled into view, its message read with it, instead
  // of at the top of a long page.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector('form[method="post" i] [aria-invalid="true"]');
    if (invalid) invalid.focus();
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

  // The plan's navigation is a <details> "Menu" button on a phone; on a wide screen it is open
  // (the stylesheet shows it where ::details-content is supported; this covers the rest).
  var wide = window.matchMedia("(min-width: 48rem)");
  function navFit() {
    document.querySelectorAll("details.nav-menu").forEach(function (menu) {
      if (wide.matches) menu.setAttribute("open", "");
    });
  }
  if (wide.addEventListener) wide.addEventListener("change", navFit);

  // A table wider than its column scrolls sideways inside its own region. Such a region must be
  // reachable by keyboard and say what it is: it becomes focusable, a named region, and shows a
  // shadow at the edge that has more (see .table-wrap in the stylesheet).
  function markScrollable(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("data-scrolls")) {
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("data-scrolls", "");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          var name = caption ? caption.textContent.trim() : "Table";
          wrap.setAttribute("aria-label", name + " (scrolls sideways)");
        }
      } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
        wrap.removeAttribute("data-scrolls");
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        if (/ \(scrolls sideways\)$/.test(wrap.getAttribute("aria-label") || "")) {
          wrap.removeAttribute("aria-label");
        }
      }
    });
  }
  function fit() { navFit(); markScrollable(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
  window.addEventListener("resize", function () { markScrollable(); });
  document.addEventListener("htmx:afterSettle", function (event) { markScrollable(event.detail.elt); });
})();
