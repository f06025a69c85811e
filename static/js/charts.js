// Draw every chart on the page from its Vega-Lite spec (built on the server with Altair).
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("[data-vega-chart]").forEach(function (container) {
      const source = document.getElementById("chart-" + container.dataset.vegaChart);
      if (!source || typeof vegaEmbed !== "function" || !window.vega) return;
      const spec = JSON.parse(source.textContent);
      // Under the Content Security Policy: expressions run through Vega's interpreter
      // (no eval), and neither vega-embed nor its tooltips inject a <style> element (the
      // tooltip's style is in app.css).
      vegaEmbed(container, spec, {
        actions: false,
        renderer: "svg",
        ast: true,
        expr: vega.expressionInterpreter,
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true },
      }).then(function () {
        container.dataset.rendered = "true";
      }).catch(function (error) {
        container.textContent = "The chart could not be drawn; the table below holds the same figures.";
        container.dataset.rendered = "error";
        console.warn(error);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
