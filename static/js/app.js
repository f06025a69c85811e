// Small progressive enhancements shared by every page.
(function () {
  "use strict";
  // On a phone, long filter panels start folded unless a filter is in use.
  if (window.matchMedia("(max-width: 767.98px)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (details) {
      if (!details.querySelector(".badge")) details.open = false;
    });
  }
  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  // The cycle form: the list of parliaments only matters when the cycle lists them.
  const reporters = document.querySelector("[data-reporters]");
  const listed = document.querySelector("[data-listed-parliaments]");
  if (reporters && listed) {
    const sync = function () {
      const chosen = reporters.querySelector("input:checked");
      listed.hidden = !chosen || chosen.value !== "listed";
    };
    reporters.addEventListener("change", sync);
    sync();
  }
})();
