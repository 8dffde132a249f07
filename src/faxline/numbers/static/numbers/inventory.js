/* Fax Number Inventory: Fax Pool Details (and the Release confirmation) arrive by htmx into
 * the dialog; show it. */
(function () {
  "use strict";
  if (window.fxInventory) { return; }
  window.fxInventory = true;
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "fx-pool-content") {
      bootstrap.Modal.getOrCreateInstance(document.getElementById("fx-pool")).show();
    }
  });
})();
