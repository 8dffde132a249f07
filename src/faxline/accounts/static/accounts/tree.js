/*
 * Account Administration: the tree's actions menus.
 *
 * - Right-click anywhere on an entry's row, its name included, opens the entry's actions
 *   menu next to the pointer, as the guide describes ("right click on your company name").
 *   The gear button opens the same menu from the keyboard; the context-menu key (or
 *   Shift+F10) on the name does too, and moves the focus into the menu.
 * - The confirmation of Lock / Unlock / Delete arrives by htmx in a modal: show it.
 */
(function () {
  "use strict";

  var TOGGLE = ".fx-node-actions > [data-bs-toggle='dropdown']";

  function toggleOf(row) {
    return row.querySelector(TOGGLE);
  }

  function closeOthers(except) {
    document.querySelectorAll(TOGGLE + "[aria-expanded='true']").forEach(function (toggle) {
      var open = window.bootstrap.Dropdown.getInstance(toggle);
      if (toggle !== except && open) { open.hide(); }
    });
  }

  // A menu opened by right-click sits at the pointer; once closed, the gear's own menu is
  // positioned at the gear again.
  function openAtPointer(toggle, x, y) {
    var current = window.bootstrap.Dropdown.getInstance(toggle);
    if (current) { current.hide(); current.dispose(); }
    var point = {
      getBoundingClientRect: function () {
        return { x: x, y: y, top: y, left: x, bottom: y, right: x, width: 0, height: 0 };
      }
    };
    var menu = new window.bootstrap.Dropdown(toggle, {
      reference: point,
      popperConfig: function (config) {
        return Object.assign({}, config, { placement: "bottom-start" });
      }
    });
    toggle.addEventListener("hidden.bs.dropdown", function reset() {
      toggle.removeEventListener("hidden.bs.dropdown", reset);
      menu.dispose();
    });
    menu.show();
  }

  document.addEventListener("contextmenu", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var row = target.closest("[data-fx-node]");
    // Inside an open menu the browser's own menu stays (e.g. to open an action in a new tab).
    if (!row || target.closest(".dropdown-menu")) { return; }
    var toggle = toggleOf(row);
    if (!toggle) { return; }
    event.preventDefault();
    closeOthers(toggle);
    var byKeyboard = event.button !== 2;
    if (byKeyboard) {
      window.bootstrap.Dropdown.getOrCreateInstance(toggle).show();
      var first = row.querySelector(".dropdown-menu .dropdown-item");
      if (first) { first.focus(); }
    } else {
      openAtPointer(toggle, event.clientX, event.clientY);
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.closest("#fx-confirm")) {
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("fx-confirm")).show();
    }
  });
})();
