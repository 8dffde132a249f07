/*
 * A new person's first step (Add User Account, Add Administrator: _person_fields.html).
 *
 * - Use email address as username: the username follows the email and cannot be typed.
 * - Show / Hide the password; Generate ticks "Generate a password" and empties the field
 *   (a password is then made by the server and shown once after Finish).
 *
 * The wizard is swapped by htmx from step to step, so the fields are looked up each time.
 */
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
      document.getElementById("id_generate_password").checked = true;
      document.getElementById("id_password").value = "";
      sync();
    }
  });
  document.addEventListener("change", sync);
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_email") { sync(); }
  });
  document.body.addEventListener("htmx:afterSettle", sync);
  sync();
})();
