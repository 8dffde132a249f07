/* The details pages of Account Administration (Company, Department, User, Administrator
 * Details and their tabs): Archive destination fields, password Show and Generate, Copy of
 * a shown-once secret, confirmation of destructive actions, and the modal whose form came
 * back with errors (named by data-fx-open-modal on this script's tag). */
(function () {
  "use strict";
  var script = document.currentScript;
  // Archive: show the fields of the chosen destination only.
  document.querySelectorAll("[data-fx-destination]").forEach(function (select) {
    var form = select.form;
    function sync() {
      form.querySelectorAll("[data-fx-when]").forEach(function (el) {
        el.hidden = el.getAttribute("data-fx-when") !== select.value;
      });
    }
    select.addEventListener("change", sync);
    sync();
  });
  // Show / hide a password field.
  document.querySelectorAll("[data-fx-show]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.getAttribute("data-fx-show"));
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = show ? "Hide" : "Show";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
  });
  // Generate: the password field is not used.
  document.querySelectorAll("[data-fx-generate]").forEach(function (box) {
    var input = document.querySelector(box.getAttribute("data-fx-generate"));
    function sync() { input.disabled = box.checked; if (box.checked) { input.value = ""; } }
    box.addEventListener("change", sync);
    sync();
  });
  // Copy a shown-once secret.
  document.querySelectorAll("[data-fx-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.querySelector(button.getAttribute("data-fx-copy")).textContent;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; });
      }
    });
  });
  // Confirm destructive actions.
  document.querySelectorAll("form[data-fx-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-fx-confirm"))) { event.preventDefault(); }
    });
  });
  // A modal whose form came back with errors opens again.
  var open = script && script.getAttribute("data-fx-open-modal");
  if (open) {
    var modal = document.getElementById("fx-" + open + "-modal");
    if (modal && window.bootstrap) { window.bootstrap.Modal.getOrCreateInstance(modal).show(); }
  }
})();
