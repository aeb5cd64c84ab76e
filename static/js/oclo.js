// Progressive enhancement of the search page; everything works without it.
(function () {
  "use strict";
  // Same breakpoint as the two-column layout in oclo.css.
  var wide = window.matchMedia("(min-width: 52rem)");
  var filtersOpen = null;
  var focusedId = null;

  function openFiltersWhenWide() {
    var filters = document.getElementById("filters");
    if (filters && wide.matches) filters.open = true;
  }

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
