// Forms with data-fx-confirm ask before they are sent (Delete, Resubmit of received faxes).
(function () {
  "use strict";
  document.querySelectorAll("form[data-fx-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-fx-confirm"))) { event.preventDefault(); }
    });
  });
})();
