/* "Suggest skills" under each learning outcome's skill picker in the admin: asks for ESCO
 * skills that fit the outcome's text, shows them as chips with the words that led to each, and
 * adds a clicked one to the picker. Nothing is saved until the provider saves the form. */
"use strict";
(function () {
  const PICKER = "select[data-suggest-url]";

  function texts(select) {
    return JSON.parse(select.dataset.suggestText);
  }

  function outcomeText(select) {
    const row = select.closest(".inline-related") || select.form;
    const title = row.querySelector("textarea[name$='-title'], input[name$='-title']");
    return title ? title.value.trim() : "";
  }

  function addControls(select) {
    if (select.dataset.suggestReady) return;
    select.dataset.suggestReady = "1";
    const words = texts(select);
    const box = document.createElement("div");
    box.className = "skill-suggest";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button skill-suggest-button";
    button.textContent = words.button;
    const status = document.createElement("p");
    status.className = "skill-suggest-status";
    status.setAttribute("aria-live", "polite");
    const chips = document.createElement("ul");
    chips.className = "skill-suggest-chips";
    box.append(button, status, chips);
    // Below the label and picker, aligned with the picker like the field's help text.
    (select.closest(".flex-container") || select.closest(".related-widget-wrapper") || select).after(box);
  }

  function pickerOf(box) {
    return box.parentElement.querySelector(PICKER);
  }

  function chip(result, select, words) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "skill-chip";
    button.dataset.skillId = result.id;
    button.dataset.skillLabel = result.label;
    if (result.description) button.title = result.description;
    const label = document.createElement("span");
    label.className = "skill-chip-label";
    label.textContent = result.label;
    button.append(label);
    if (result.words.length) {
      const reason = document.createElement("span");
      reason.className = "skill-chip-words";
      reason.textContent = `${words.from}: ${result.words.join(", ")}`;
      button.append(" ", reason);
    }
    if ([...select.selectedOptions].some((option) => option.value === String(result.id))) {
      markAdded(button, words);
    }
    item.append(button);
    return item;
  }

  function markAdded(button, words) {
    button.disabled = true;
    button.setAttribute("aria-pressed", "true");
    button.classList.add("skill-chip-added");
    const added = document.createElement("span");
    added.className = "skill-chip-state";
    added.textContent = `(${words.added})`;
    button.append(" ", added);
  }

  async function suggest(box) {
    const select = pickerOf(box);
    const words = texts(select);
    const status = box.querySelector(".skill-suggest-status");
    const chips = box.querySelector(".skill-suggest-chips");
    const text = outcomeText(select);
    chips.replaceChildren();
    if (!text) {
      status.textContent = words.write_first;
      return;
    }
    status.textContent = words.busy;
    const language = document.getElementById("id_default_language");
    const query = new URLSearchParams({ text, language: language ? language.value : "" });
    try {
      const answer = await fetch(`${select.dataset.suggestUrl}?${query}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!answer.ok) throw new Error(answer.statusText);
      const { results } = await answer.json();
      status.textContent = results.length ? words.hint : words.none;
      chips.replaceChildren(...results.map((result) => chip(result, select, words)));
    } catch (error) {
      status.textContent = words.failed;
    }
  }

  function accept(button) {
    const select = pickerOf(button.closest(".skill-suggest"));
    const id = button.dataset.skillId;
    let option = [...select.options].find((candidate) => candidate.value === id);
    if (!option) {
      option = new Option(button.dataset.skillLabel, id, false, false);
      select.append(option);
    }
    option.selected = true;
    // The picker is a select2 box: it redraws on jQuery's change event.
    if (window.django && window.django.jQuery) window.django.jQuery(select).trigger("change");
    else select.dispatchEvent(new Event("change", { bubbles: true }));
    markAdded(button, texts(select));
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest(".skill-suggest-button, .skill-chip");
    if (!target) return;
    if (target.classList.contains("skill-chip")) accept(target);
    else suggest(target.closest(".skill-suggest"));
  });
  // New outcome rows are copies of the empty form, which already has its controls.
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(PICKER).forEach(addControls);
  });
})();
