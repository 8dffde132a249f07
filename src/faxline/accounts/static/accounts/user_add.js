/* Add User Account (the wizard and its done page): Generate password, Show, Use email as
 * username, and Copy of what is shown once. */
(function () {
  "use strict";
  function sync() {
    var wizard = document.getElementById("fx-wizard");
    if (!wizard) { return; }
    var password = wizard.querySelector("#id_password");
    var generate = wizard.querySelector("#id_generate_password");
    var useEmail = wizard.querySelector("#id_use_email_as_username");
    var username = wizard.querySelector("#id_username");
    var email = wizard.querySelector("#id_email");
    if (password && generate) {
      password.disabled = generate.checked;
      password.placeholder = generate.checked ? "A password will be generated" : "";
    }
    if (username && useEmail) {
      username.readOnly = useEmail.checked;
      if (useEmail.checked && email) { username.value = email.value; }
    }
  }
  document.addEventListener("click", function (event) {
    var show = event.target.closest("[data-fx-show-password]");
    if (show) {
      var input = document.getElementById("id_password");
      var visible = input.type === "password";
      input.type = visible ? "text" : "password";
      show.textContent = visible ? "Hide" : "Show";
      show.setAttribute("aria-pressed", visible ? "true" : "false");
    }
    if (event.target.closest("[data-fx-generate-password]")) {
      var box = document.getElementById("id_generate_password");
      box.checked = true;
      document.getElementById("id_password").value = "";
      sync();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fx-copy]");
    if (!button || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(document.getElementById(button.dataset.fxCopy).textContent.trim())
      .then(function () { button.textContent = "Copied"; });
  });
  document.addEventListener("change", sync);
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_email") { sync(); }
  });
  document.body.addEventListener("htmx:afterSettle", sync);
  sync();
})();
