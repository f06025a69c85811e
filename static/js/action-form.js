// Action form: the commitments and objectives become searchable multi-selects (Tom
// Select, vendored); choosing a commitment selects the GCM objectives it serves (a
// suggestion the editor can undo) and lists them first; the instrument field shows only
// for ratifications. Without JavaScript the form works with plain list boxes.
(function () {
  "use strict";
  const form = document.querySelector(".action-form");
  if (!form) return;

  const note = form.querySelector("[data-suggestion-note]");
  const commitments = form.querySelector('select[name="commitments"]');
  const objectives = form.querySelector('select[name="objectives"]');
  const groups = form.querySelector(".objectives-field");

  // What each commitment serves, and each objective's option, read from the page.
  const served = new Map();
  Array.from(commitments ? commitments.options : []).forEach(function (option) {
    served.set(option.value, (option.dataset.objectives || "").split(",").filter(Boolean));
  });
  const objectiveByNumber = new Map();
  Array.from(objectives ? objectives.options : []).forEach(function (option) {
    objectiveByNumber.set(option.dataset.number, option.value);
  });

  function searchable(select) {
    if (!select || typeof window.TomSelect !== "function") return null;
    const searchable = new window.TomSelect(select, {
      plugins: { remove_button: { title: select.dataset.removeLabel || "Remove" } },
      placeholder: select.dataset.placeholder || "",
      hidePlaceholder: false,
      maxOptions: null,
      refreshThrottle: 0, // local options: filter at each key, so Enter picks what is shown
      lockOptgroupOrder: true, // groups in their own order, the suggested ones first
      closeAfterSelect: true,
      render: {
        no_results: function () {
          const div = document.createElement("div");
          div.className = "no-results";
          div.textContent = select.dataset.noResults || "";
          return div;
        },
      },
    });
    // Tom Select moves the label to its search box; the hidden list keeps the same name.
    const label = document.getElementById(select.id + "-ts-label");
    if (label) select.setAttribute("aria-labelledby", label.id);
    return searchable;
  }

  const objectiveSelect = searchable(objectives);

  let commitmentSelect = null;

  // Tom Select announces a new item before it updates the <select>: read its own list.
  function selectedCommitments() {
    if (commitmentSelect) return commitmentSelect.items.slice();
    return Array.from(commitments.selectedOptions).map(function (option) { return option.value; });
  }

  // The objectives the chosen commitments serve are listed first, under their own heading.
  function regroup() {
    if (!objectiveSelect || !groups) return;
    const servedNumbers = new Set();
    selectedCommitments().forEach(function (value) {
      (served.get(value) || []).forEach(function (number) { servedNumbers.add(number); });
    });
    objectiveSelect.clearOptionGroups();
    if (servedNumbers.size) {
      objectiveSelect.addOptionGroup("served", { value: "served", label: groups.dataset.servedLabel });
      objectiveSelect.addOptionGroup("other", { value: "other", label: groups.dataset.otherLabel });
    }
    objectiveByNumber.forEach(function (value, number) {
      const option = objectiveSelect.options[value];
      if (!option) return;
      option.optgroup = servedNumbers.size ? (servedNumbers.has(number) ? "served" : "other") : undefined;
    });
    objectiveSelect.refreshOptions(false);
    objectiveSelect.close();
  }

  function suggest(commitment) {
    const suggested = [];
    (served.get(commitment) || []).forEach(function (number) {
      const value = objectiveByNumber.get(number);
      if (value === undefined) return;
      const option = Array.from(objectives.options).find(function (o) { return o.value === value; });
      if (option && !option.selected) {
        if (objectiveSelect) objectiveSelect.addItem(value, true);
        else option.selected = true;
        suggested.push(parseInt(number, 10));
      }
    });
    suggested.sort(function (a, b) { return a - b; });
    if (note && suggested.length) {
      note.textContent = note.dataset.template
        ? note.dataset.template.replace("%s", suggested.join(", "))
        : "Suggested objectives added: " + suggested.join(", ") + ".";
    }
  }

  if (commitments) {
    commitmentSelect = searchable(commitments);
    if (commitmentSelect) {
      commitmentSelect.on("item_add", function (value) { suggest(value); regroup(); });
      commitmentSelect.on("item_remove", regroup);
    } else {
      let before = new Set(selectedCommitments());
      commitments.addEventListener("change", function () {
        const now = selectedCommitments();
        now.filter(function (value) { return !before.has(value); }).forEach(suggest);
        before = new Set(now);
      });
    }
    regroup();
  }

  const type = form.querySelector('select[name="action_type"]');
  const instrument = form.querySelector(".instrument-field");
  function toggleInstrument() {
    if (!type || !instrument) return;
    const chosen = instrument.querySelector("select");
    instrument.hidden = type.value !== "ratification" && !(chosen && chosen.value);
  }
  if (type) type.addEventListener("change", toggleInstrument);
  toggleInstrument();
})();
