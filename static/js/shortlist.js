// The learner's shortlist: up to four opportunities to compare, kept in this browser only
// (localStorage), with no account. Everything it offers also works without it: the compare
// page reads its list from the address (/compare/?ids=12,40), which anyone can open.
(function () {
  "use strict";
  var KEY = "oclo.shortlist";
  var LIMIT = 4;

  function read() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      if (!Array.isArray(stored)) return [];
      return stored.map(String).filter(function (id) { return /^\d+$/.test(id); }).slice(0, LIMIT);
    } catch (error) {
      return [];  // storage blocked (private mode) or unreadable: an empty shortlist
    }
  }

  function write(ids) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(ids));
    } catch (error) {
      // Nothing to keep it in: the buttons still show the state of this page.
    }
  }

  function bar() {
    return document.getElementById("shortlist-bar");
  }

  function compareUrl(ids) {
    var base = bar().getAttribute("data-compare-url");
    return ids.length ? base + "?ids=" + ids.join(",") : base;
  }

  function announce(message) {
    document.getElementById("shortlist-status").textContent = message;
  }

  function sync() {
    var ids = read();
    document.querySelectorAll("[data-shortlist]").forEach(function (button) {
      button.hidden = false;
      var saved = ids.indexOf(button.getAttribute("data-shortlist")) >= 0;
      button.setAttribute("aria-pressed", saved ? "true" : "false");
    });
    document.querySelectorAll("[data-shortlist-link]").forEach(function (link) {
      link.href = compareUrl(ids);
    });
    document.querySelectorAll("[data-shortlist-keep]").forEach(function (button) {
      button.hidden = button.getAttribute("data-shortlist-keep") === ids.join(",");
    });
    var shown = bar();
    shown.hidden = ids.length === 0;
    shown.querySelector("[data-shortlist-count]").textContent = ids.length;
    document.body.classList.toggle("has-shortlist", ids.length > 0);
  }

  function toggle(button) {
    var id = button.getAttribute("data-shortlist");
    var ids = read();
    var messages = bar().dataset;
    if (ids.indexOf(id) >= 0) {
      write(ids.filter(function (other) { return other !== id; }));
      sync();
      announce(messages.removed);
    } else if (ids.length >= LIMIT) {
      announce(messages.full);
    } else {
      write(ids.concat([id]));
      sync();
      announce(messages.saved);
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-shortlist], [data-shortlist-remove], [data-shortlist-keep]");
    if (!target) return;
    if (target.hasAttribute("data-shortlist")) {
      toggle(target);
    } else if (target.hasAttribute("data-shortlist-remove")) {
      // The link itself shows the comparison without it; the shortlist follows.
      var removed = target.getAttribute("data-shortlist-remove");
      write(read().filter(function (id) { return id !== removed; }));
    } else {
      write(target.getAttribute("data-shortlist-keep").split(",").slice(0, LIMIT));
      sync();
      announce(bar().dataset.kept);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var ids = read();
    // "Compare" opened without a list (from the header): show the saved one.
    if (document.querySelector("[data-compare-from-shortlist]") && ids.length) {
      window.location.replace(compareUrl(ids));
      return;
    }
    sync();
  });
  // Search results are replaced in place when a facet is ticked: mark their buttons again.
  document.addEventListener("htmx:afterSwap", sync);
  // Another tab changed the shortlist.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) sync();
  });
})();
