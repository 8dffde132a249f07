/* The wizard engine in the browser (faxline.portal.toolkit.Wizard): after htmx swaps a
 * wizard (#fx-wizard) in, move the focus to the element the server marked with
 * data-fx-focus, else to the first field in error, else to the error above the form, else
 * to the step's heading (screen readers then announce the new step). */
(function () {
  "use strict";
  if (window.fxWizardFocus) { return; }
  window.fxWizardFocus = true;
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var wizard = document.getElementById("fx-wizard");
    var swapped = event.detail && event.detail.target;
    // Only a swap of the wizard itself moves the focus (not a live check beside a field).
    if (!wizard || !swapped || (swapped !== wizard && swapped.id !== "fx-wizard")) { return; }
    var pane = wizard.querySelector(".fx-step:not([hidden])");
    var target = wizard.querySelector("[data-fx-focus]") ||
      (pane && pane.querySelector("[aria-invalid='true']")) ||
      wizard.querySelector(".alert-danger") ||
      (pane && pane.querySelector(".fx-step-title")) || wizard.querySelector("h2");
    if (target) { target.focus(); }
  });
})();
