// Poll a report's status every two seconds while it builds; reload when it is done.
(function () {
  "use strict";
  const box = document.querySelector("[data-report-status]");
  if (!box) return;
  const bar = box.querySelector("[data-progress]");
  // The width is set here, not in a style attribute, which the Content Security Policy forbids.
  bar.firstElementChild.style.width = bar.firstElementChild.dataset.width + "%";
  if (box.dataset.finished === "true") return;
  function poll() {
    fetch(box.dataset.reportStatus, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        box.querySelector("[data-status]").textContent = state.status_label;
        box.querySelector("[data-stage]").textContent = state.stage;
        bar.setAttribute("aria-valuenow", state.progress);
        bar.firstElementChild.style.width = state.progress + "%";
        bar.firstElementChild.textContent = state.progress + "%";
        if (state.status === "succeeded" || state.status === "failed") window.location.reload();
        else window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
