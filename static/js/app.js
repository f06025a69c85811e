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
  // Translations of a parliament's text: none in the language it is written in, so that
  // language's fields are hidden (unless they hold something the server refused).
  const translations = document.querySelector("[data-translations]");
  const writtenIn = translations && translations.closest("form").querySelector("select[name=language]");
  if (translations) {
    const written = writtenIn ? writtenIn : { value: translations.dataset.writtenIn };
    const hideWritten = function () {
      translations.querySelectorAll("fieldset[data-language]").forEach(function (fieldset) {
        const used = fieldset.querySelector(".is-invalid");
        fieldset.hidden = fieldset.dataset.language === written.value && !used;
      });
    };
    if (writtenIn) writtenIn.addEventListener("change", hideWritten);
    hideWritten();
  }
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
  // A wide table scrolls inside its box on a narrow screen: the box becomes a labelled,
  // keyboard-focusable region (so it can be scrolled without a mouse), and stops being one
  // when the table fits again.
  const labelOf = function (region) {
    const table = region.querySelector("table");
    if (table && table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    const section = region.closest("section, article");
    const heading = section && section.querySelector("h1, h2, h3, h4");
    return heading ? heading.textContent.trim() : document.title;
  };
  const markScrollRegions = function () {
    document.querySelectorAll(".table-responsive").forEach(function (region) {
      const scrolls = region.scrollWidth > region.clientWidth + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.setAttribute("data-scroll-region", "");
        if (!region.hasAttribute("aria-label") && !region.hasAttribute("aria-labelledby")) {
          region.setAttribute("aria-label", labelOf(region));
        }
      } else if (!scrolls && region.hasAttribute("data-scroll-region")) {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
        region.removeAttribute("data-scroll-region");
      }
    });
  };
  markScrollRegions();
  let resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollRegions, 100);
  });
  // Before an upload: say at once when a file is too large or of a type the server will
  // refuse (the server checks again). The message sits under the field, and the form will
  // not send until the file is replaced.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    const note = document.createElement("div");
    note.className = "invalid-feedback d-block";
    note.setAttribute("role", "alert");
    note.id = input.id + "-client-error";
    input.insertAdjacentElement("afterend", note);
    const accepted = (input.getAttribute("accept") || "").split(",").filter(function (a) {
      return a.startsWith(".");
    });
    input.addEventListener("change", function () {
      const limit = parseInt(input.dataset.maxBytes, 10);
      const problems = [];
      Array.prototype.forEach.call(input.files || [], function (file) {
        const name = file.name.toLowerCase();
        if (accepted.length && !accepted.some(function (ext) { return name.endsWith(ext); })) {
          problems.push(input.dataset.wrongType.replace("%(name)s", file.name));
        } else if (file.size > limit) {
          problems.push(input.dataset.tooLarge.replace("%(name)s", file.name)
            .replace("%(limit)s", String(Math.round(limit / 1048576))));
        }
      });
      note.textContent = problems.join(" ");
      input.setCustomValidity(problems.join(" "));
      input.classList.toggle("is-invalid", problems.length > 0);
      if (problems.length) input.setAttribute("aria-describedby", note.id);
    });
  });
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      const refused = form.querySelector("input[type=file].is-invalid");
      if (refused) {
        event.preventDefault();
        refused.focus();
      }
    });
  });
})();

// A button that cannot be undone asks first: <button data-confirm="Delete …?">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
