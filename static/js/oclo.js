// Progressive enhancement; everything works without it. No page has inline scripts or
// handlers (the Content Security Policy forbids them): behaviour is attached here.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-print]");
    if (!link) return;
    event.preventDefault();
    window.print();
  });

  // Same breakpoint as the two-column layout in oclo.css.
  var wide = window.matchMedia("(min-width: 52rem)");
  var filtersOpen = null;
  var focusedId = null;

  function openFiltersWhenWide() {
    var filters = document.getElementById("filters");
    if (filters && wide.matches) filters.open = true;
  }

  // A ticked facet searches at once. A "find a ..." box (type=search) fills its own list as
  // one types: its change on leaving it must not start a search that would swallow the tick
  // that follows.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "search" || !target.closest(".facets")) return;
    var form = target.closest("form[hx-trigger]");
    if (form) form.dispatchEvent(new Event("facets-changed"));
  });

  document.addEventListener("DOMContentLoaded", openFiltersWhenWide);
  wide.addEventListener("change", openFiltersWhenWide);

  // htmx replaces the whole search block when a facet is ticked: keep the filters panel as
  // the visitor left it (open on a phone while choosing) and the focus on the ticked box,
  // which a closed panel would otherwise swallow.
  document.addEventListener("htmx:beforeSwap", function () {
    var filters = document.getElementById("filters");
    filtersOpen = filters ? filters.open : null;
    focusedId = document.activeElement ? document.activeElement.id : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var filters = document.getElementById("filters");
    if (filters && filtersOpen !== null) filters.open = filtersOpen || wide.matches;
    var focused = focusedId && document.getElementById(focusedId);
    if (focused && document.activeElement !== focused) focused.focus();
  });
})();
