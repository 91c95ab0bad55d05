/* Draws the dashboards' plotly figures.
 *
 *   <div class="tracker-chart" data-plotly-figure="fig-id"></div>
 *   {{ figure|json_script:"fig-id" }}
 *
 * The figure ({data, layout}) is built on the server with the plotly package and travels as a JSON
 * data block, which the Content-Security-Policy allows because it is never executed. The same
 * convention as static/js/tracker.js: whichever script runs first draws, the other skips.
 */
(function () {
  "use strict";

  function draw(root) {
    if (!window.Plotly) {
      return;
    }
    root.querySelectorAll("[data-plotly-figure]").forEach(function (el) {
      if (el.dataset.plotlyDrawn) {
        return;
      }
      var source = document.getElementById(el.dataset.plotlyFigure);
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
      window.Plotly.newPlot(el, figure.data || [], figure.layout || {}, config);
      el.dataset.plotlyDrawn = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:load", function (event) {
    draw(event.target);
  });
})();
