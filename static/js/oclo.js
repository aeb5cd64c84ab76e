// Progressive enhancement; everything works without it. No page has inline scripts or
// handlers (the Content Security Policy forbids them): behaviour is attached here.
(function () {
  "use strict";
  document.documentElement.classList.add("scripted");
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

  // "Show n results" on a phone: the panel closes, so the results are right below it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".show-results a");
    var filters = document.getElementById("filters");
    if (link && filters && !wide.matches) filters.open = false;
  });

  // The language switch returns to the page it was chosen on. htmx changes the address of
  // the search page without reloading the header that says where that is: take it from the
  // address bar, or a switch after a search would lose the search.
  document.addEventListener("submit", function (event) {
    var next = event.target.matches(".language-switch") && event.target.elements.next;
    if (next) next.value = window.location.pathname + window.location.search;
  });

  // The address a search leaves in the bar, and so in the links people share, names only
  // what was chosen: the form's empty boxes are left out of its query.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data || event.detail.verb !== "get") return;
    var empty = [];
    data.forEach(function (value, name) {
      if (value === "" && empty.indexOf(name) < 0) empty.push(name);
    });
    empty.forEach(function (name) {
      var kept = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
  });

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

// Search as you type (WAI-ARIA 1.2 combobox with a listbox popup): from two letters, the
// titles, skills, providers and fields the letters may stand for, from the API. Arrow keys
// move through them, Enter opens one, Escape closes the list; the box still submits as typed.
(function () {
  "use strict";
  var MIN_LETTERS = 2;
  var timer = null;
  var pending = null;
  var active = -1;

  function parts() {
    var input = document.getElementById("q");
    if (!input || !input.dataset.suggestions) return null;
    return {
      input: input,
      list: document.getElementById("q-suggestions"),
      status: document.getElementById("q-suggestions-status"),
    };
  }

  function options(list) {
    return list.querySelectorAll('[role="option"]');
  }

  function close(p) {
    p.list.hidden = true;
    p.list.textContent = "";
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(p, index) {
    var all = options(p.list);
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach(function (option, position) {
      option.setAttribute("aria-selected", position === active ? "true" : "false");
    });
    p.input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function show(p, results) {
    p.list.textContent = "";
    active = -1;
    results.forEach(function (suggestion, position) {
      var option = document.createElement("li");
      option.id = "q-option-" + position;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.url = suggestion.url;
      var label = document.createElement("span");
      label.className = "suggestion-label";
      label.textContent = suggestion.label;
      var kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = suggestion.kind === "title"
        ? suggestion.kind_label
        : suggestion.kind_label + " · " + suggestion.count;
      option.appendChild(label);
      option.appendChild(kind);
      // mousedown, not click: the box's blur would close the list before the click lands.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.assign(suggestion.url);
      });
      p.list.appendChild(option);
    });
    var any = results.length > 0;
    p.list.hidden = !any;
    p.input.setAttribute("aria-expanded", any ? "true" : "false");
    // The sentence comes translated and punctuated from the page ("Suggestions : 3" in French).
    p.status.textContent = any
      ? p.status.dataset.template.replace("{number}", results.length)
      : "";
  }

  function fetchSuggestions(p) {
    var term = p.input.value.trim();
    if (term.replace(/\W/g, "").length < MIN_LETTERS) {
      close(p);
      return;
    }
    if (pending) pending.abort();
    pending = new AbortController();
    var url = p.input.dataset.suggestions + "?q=" + encodeURIComponent(term);
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) {
        // The visitor may have typed on, or left the box, meanwhile.
        if (p.input.value.trim() === term && document.activeElement === p.input) {
          show(p, body.results);
        }
      })
      .catch(function () {});
  }

  document.addEventListener("input", function (event) {
    var p = parts();
    if (!p || event.target !== p.input) return;
    clearTimeout(timer);
    timer = setTimeout(function () { fetchSuggestions(p); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (!p || event.target !== p.input) return;
    var open = !p.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      highlight(p, active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      window.location.assign(options(p.list)[active].dataset.url);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close(p);
    }
  });

  document.addEventListener(
    "blur",
    function (event) {
      var p = parts();
      if (p && event.target === p.input) close(p);
    },
    true
  );
})();
