/* Add Administrator: the steps shown one at a time (Back / Next / Finish), Use email as
 * username, and the password's Show and Generate. */
(function () {
  "use strict";
  var wizard = document.querySelector("[data-fx-wizard]");
  if (!wizard) { return; }
  var form = wizard.querySelector("form");
  var steps = Array.prototype.slice.call(wizard.querySelectorAll(".fx-step"));
  var dots = Array.prototype.slice.call(wizard.querySelectorAll("[data-step-dot]"));
  var back = wizard.querySelector("[data-fx-back]");
  var next = wizard.querySelector("[data-fx-next]");
  var finish = wizard.querySelector("[data-fx-finish]");
  var current = parseInt(wizard.getAttribute("data-step"), 10) || 1;
  wizard.classList.add("fx-js");
  steps.forEach(function (step, i) {
    if (step.querySelector(".is-invalid, .invalid-feedback")) { dots[i].classList.add("has-errors"); }
  });
  function show(n, focus) {
    current = n;
    steps.forEach(function (step, i) { step.hidden = i + 1 !== n; });
    dots.forEach(function (dot, i) {
      dot.classList.toggle("is-current", i + 1 === n);
      dot.classList.toggle("is-done", i + 1 < n);
      if (i + 1 === n) { dot.setAttribute("aria-current", "step"); } else { dot.removeAttribute("aria-current"); }
    });
    back.hidden = n === 1;
    next.hidden = n === steps.length;
    finish.hidden = n !== steps.length;
    if (focus) { steps[n - 1].querySelector(".fx-step-title").focus(); }
  }
  function stepValid(n) {
    var ok = true;
    steps[n - 1].querySelectorAll("input, select").forEach(function (input) {
      if (ok && !input.disabled && !input.checkValidity()) { input.reportValidity(); ok = false; }
    });
    return ok;
  }
  next.addEventListener("click", function () { if (stepValid(current)) { show(current + 1, true); } });
  back.addEventListener("click", function () { show(current - 1, true); });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT" && current < steps.length) {
      event.preventDefault();
      next.click();
    }
  });
  // Use email address as username.
  var useEmail = form.querySelector("[name='use_email_as_username']");
  var username = form.querySelector("[name='username']");
  var email = form.querySelector("[name='email']");
  function syncUsername() {
    username.readOnly = useEmail.checked;
    username.required = !useEmail.checked;
    if (useEmail.checked) { username.value = email.value; }
  }
  useEmail.addEventListener("change", syncUsername);
  email.addEventListener("input", function () { if (useEmail.checked) { username.value = email.value; } });
  syncUsername();
  // Password: Show, and Generate (the typed password is then not used).
  var password = form.querySelector("[name='password']");
  var showButton = form.querySelector("[data-fx-show]");
  showButton.addEventListener("click", function () {
    var reveal = password.type === "password";
    password.type = reveal ? "text" : "password";
    showButton.textContent = reveal ? "Hide" : "Show";
    showButton.setAttribute("aria-pressed", reveal ? "true" : "false");
  });
  var generate = form.querySelector("[data-fx-generate]");
  function syncGenerate() {
    password.disabled = generate.checked;
    password.required = !generate.checked;
    if (generate.checked) { password.value = ""; }
  }
  generate.addEventListener("change", syncGenerate);
  syncGenerate();
  show(current, false);
})();
