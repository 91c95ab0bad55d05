// Progressive enhancements of the reporting pages; every page works without them. Confirmations
// and the month selector's auto-submit come from tracker.js (data-confirm, data-auto-submit).
// No inline scripts or on…= handlers: the pages run under a strict Content-Security-Policy.
(function () {
  "use strict";

  function toNumber(text) {
    // The same leniency as the server: full-width digits and thousands separators.
    var t = (text || "").replace(/[\uFF10-\uFF19]/g, function (d) {
      return String.fromCharCode(d.charCodeAt(0) - 0xfee0);
    }).replace(/[,，\s]/g, "");
    return /^[+-]?\d+(\.\d+)?$/.test(t) ? parseFloat(t) : NaN;
  }

  // A live preview of a rate from its numerator and denominator.
  document.querySelectorAll("form[data-figure-form]").forEach(function (form) {
    var preview = form.querySelector("[data-rate-preview]");
    var num = form.querySelector("[name=numerator]");
    var den = form.querySelector("[name=denominator]");
    if (!preview || !num || !den) { return; }
    function update() {
      var n = toNumber(num.value), d = toNumber(den.value);
      preview.textContent = (!isNaN(n) && !isNaN(d) && d > 0) ? "= " + (n * 100 / d).toFixed(2) + "%" : "";
    }
    num.addEventListener("input", update);
    den.addEventListener("input", update);
    update();
  });

  // A return needs a comment: say so before the round trip (the server checks it anyway).
  document.querySelectorAll("form[data-review-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var comment = form.querySelector("[name=comment]");
      if (button && button.value === "return" && comment && !comment.value.trim()) {
        event.preventDefault();
        comment.classList.add("is-invalid");
        comment.focus();
      }
    });
  });
})();
