/* Behaviour of the tracker's pages, wired by data- attributes.
 *
 * The Content-Security-Policy allows scripts from our own origin only: no inline <script>, no
 * on...= attributes, no eval (htmx runs with allowEval false). Pages declare what they need:
 *
 *   <form data-confirm="确定退回？">              asks before submitting (also on a <button>)
 *   <select data-auto-submit>                      submits its form when changed; keep a
 *                                                  <button class="tracker-nojs-only"> for no-JS use
 *   <button data-print>                            prints the page
 *   <input type="checkbox" data-check-all="pick">  ticks or clears every checkbox named "pick"
 *                                                  of its form (the worklists' bulk acts)
 *   <span data-bs-toggle="tooltip" title="…">      Bootstrap tooltip
 *   <div class="tracker-chart" data-plotly-figure="fig-id"></div>
 *   {{ figure|json_script:"fig-id" }}              a plotly figure ({data, layout}) drawn into
 *                                                  the div; load plotly.min.js in {% block extra_js %}
 *
 * Everything is (re)applied to content that htmx swaps in.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) {
      fn(root);
    }
    root.querySelectorAll(selector).forEach(fn);
  }

  function initTooltips(root) {
    if (!window.bootstrap) {
      return;
    }
    each(root, '[data-bs-toggle="tooltip"]', function (el) {
      window.bootstrap.Tooltip.getOrCreateInstance(el);
    });
  }

  function initCharts(root) {
    each(root, "[data-plotly-figure]", function (el) {
      if (el.dataset.plotlyDrawn || !window.Plotly) {
        return;
      }
      var source = document.getElementById(el.dataset.plotlyFigure);
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      var layout = Object.assign({}, CHART_LAYOUT, figure.layout || {});
      var config = Object.assign(
        { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"] },
        figure.config || {}
      );
      window.Plotly.newPlot(el, figure.data || [], layout, config).then(function () {
        fitForPrint(el);
        el.on("plotly_afterplot", function () {
          fitForPrint(el);
        });
      });
      el.dataset.plotlyDrawn = "1";
    });
  }

  // A chart is drawn at the screen's width; printed on A4 (portrait, 12 mm margins: about 700 CSS
  // pixels) it would be cut. The print style sheet scales each chart by --print-zoom, which is
  // kept here for the width it was drawn at (no print event is needed: Chromium's PDF has none).
  var PRINT_WIDTH = 690;

  function fitForPrint(el) {
    var width = el.offsetWidth;
    if (width > 0) {
      el.style.setProperty("--print-zoom", String(Math.min(1, PRINT_WIDTH / width)));
    }
  }

  // The house style of charts (a figure's own layout wins): restrained colours in the order
  // actual, expected, then others; the page's fonts; legend above the plot so it fits a phone.
  var CHART_LAYOUT = {
    autosize: true,
    colorway: ["#1f3a5f", "#8c99a8", "#c0392b", "#e0a100", "#1e7e4a", "#5b7fa6", "#7a5c99"],
    font: { family: getComputedStyle(document.documentElement).getPropertyValue("--bs-body-font-family"), size: 12 },
    legend: { orientation: "h", x: 0, y: 1.12 },
    margin: { l: 48, r: 16, t: 40, b: 40 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
  };

  function init(root) {
    initTooltips(root);
    initCharts(root);
  }

  // Delegated handlers work for content added later without re-binding.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-auto-submit]") && el.form) {
      el.form.requestSubmit();
    }
    if (el.matches && el.matches("[data-check-all]") && el.form) {
      el.form.querySelectorAll('input[type="checkbox"][name="' + el.dataset.checkAll + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-print]");
    if (el) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });

  // htmx fires htmx:load for each element it swaps in (and once for the body at start-up).
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
