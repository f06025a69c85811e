// Action form: tick the GCM objectives that the chosen Rabat commitments serve (a
// suggestion the editor can undo), and show the instrument field only for ratifications.
(function () {
  "use strict";
  const form = document.querySelector(".action-form");
  if (!form) return;

  const note = form.querySelector("[data-suggestion-note]");
  const objectiveBoxes = Array.from(form.querySelectorAll('input[name="objectives"]'));
  const byNumber = new Map();
  objectiveBoxes.forEach(function (box) {
    const label = form.querySelector('label[for="' + box.id + '"]');
    const number = label ? parseInt(label.textContent, 10) : NaN;
    if (!Number.isNaN(number)) byNumber.set(number, box);
  });

  form.querySelectorAll('input[name="commitments"]').forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked || !box.dataset.objectives) return;
      const suggested = [];
      box.dataset.objectives.split(",").forEach(function (value) {
        const target = byNumber.get(parseInt(value, 10));
        if (target && !target.checked) {
          target.checked = true;
          suggested.push(value);
        }
      });
      suggested.sort(function (a, b) { return a - b; });
      if (note && suggested.length) {
        note.textContent = note.dataset.template
          ? note.dataset.template.replace("%s", suggested.join(", "))
          : "Suggested objectives ticked: " + suggested.join(", ") + ".";
      }
    });
  });

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
