// A long checkbox list (data-checklist) gets a filter box: typing narrows the list to the
// choices whose name contains the text; ticked choices always stay in view. Without
// JavaScript the full list works as it is.
(function () {
  "use strict";

  function setUp(list) {
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-checklist-item]"));
    if (items.length < 8) return;
    var id = list.id + "-filter";
    var wrap = document.createElement("div");
    wrap.className = "checklist-filter";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = list.getAttribute("data-checklist-label") || "Filter the list";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", list.id);
    var status = document.createElement("p");
    status.className = "muted";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    list.parentNode.insertBefore(wrap, list);

    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input");
        var match = !query || item.textContent.toLowerCase().indexOf(query) !== -1;
        item.hidden = !(match || (box && box.checked));
        if (!item.hidden) shown += 1;
      });
      status.textContent = query ? shown + " of " + items.length + " shown" : "";
    });
    // Enter in the filter box must not submit the whole form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  document.querySelectorAll("[data-checklist]").forEach(setUp);
})();
