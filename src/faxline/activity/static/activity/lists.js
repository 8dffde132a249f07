/* Outbound and Inbound Activity (faxline.activity.lists): "+" adds a filter row, the
   column headers' right-click (or the Columns button) chooses the columns, remembered for
   the person; Row Count applies when chosen; Bulk Resubmit counts the faxes selected. */
(function () {
  "use strict";
  document.documentElement.classList.add("fx-js");

  /* --- filter rows ---------------------------------------------------------------- */
  var rowsBox = document.getElementById("fx-filter-rows");
  var add = document.getElementById("fx-filter-add");
  if (rowsBox && add) {
    add.addEventListener("click", function () {
      var first = rowsBox.querySelector(".fx-filter-row");
      var row = first.cloneNode(true);
      row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      rowsBox.appendChild(row);
      row.querySelector("select").focus();
    });
    rowsBox.addEventListener("click", function (event) {
      var button = event.target.closest(".fx-filter-remove");
      if (!button) { return; }
      var row = button.closest(".fx-filter-row");
      if (rowsBox.querySelectorAll(".fx-filter-row").length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
        row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      }
    });
  }

  /* --- columns --------------------------------------------------------------------- */
  var table = document.getElementById("fx-activity-table");
  var menu = document.getElementById("fx-columns-menu");
  var button = document.getElementById("fx-columns-button");

  function openMenu(x, y) {
    menu.hidden = false;
    if (typeof x === "number") {
      menu.classList.add("fx-at-pointer");
      var width = menu.offsetWidth;
      var height = menu.offsetHeight;
      menu.style.left = Math.max(4, Math.min(x, window.innerWidth - width - 4)) + "px";
      menu.style.top = Math.max(4, Math.min(y, window.innerHeight - height - 4)) + "px";
    } else {
      menu.classList.remove("fx-at-pointer");
      menu.style.left = "";
      menu.style.top = "";
    }
    button.setAttribute("aria-expanded", "true");
    var first = menu.querySelector("input[type=checkbox]");
    if (first) { first.focus(); }
  }

  function closeMenu(focusButton) {
    if (menu.hidden) { return; }
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focusButton) { button.focus(); }
  }

  function save() {
    var body = new FormData(menu);
    return fetch(menu.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    });
  }

  if (menu && button) {
    button.addEventListener("click", function () {
      if (menu.hidden) { openMenu(); } else { closeMenu(true); }
    });
    if (table) {
      table.querySelector("thead").addEventListener("contextmenu", function (event) {
        event.preventDefault();
        openMenu(event.clientX, event.clientY);
      });
    }
    menu.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name !== "columns") { return; }
      if (!menu.querySelector("input[name=columns]:checked")) {
        box.checked = true; // at least one column stays
        return;
      }
      if (table) { table.classList.toggle("fx-hide-" + box.value, !box.checked); }
      save();
    });
    menu.addEventListener("submit", function (event) {
      event.preventDefault();
      save().then(function () { closeMenu(true); });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeMenu(true); }
    });
    document.addEventListener("click", function (event) {
      if (!menu.hidden && !menu.contains(event.target) && event.target !== button) {
        closeMenu(false);
      }
    });
  }

  /* --- Row Count ------------------------------------------------------------------- */
  var rows = document.getElementById("fx-rows");
  if (rows) {
    rows.addEventListener("change", function () { rows.form.submit(); });
  }

  /* --- Bulk Resubmit --------------------------------------------------------------- */
  var bulk = document.getElementById("fx-bulk");
  if (bulk) {
    var count = document.getElementById("fx-bulk-count");
    var all = document.getElementById("fx-bulk-all");
    var picks = function () { return document.querySelectorAll(".fx-bulk-pick"); };
    var update = function () {
      var chosen = document.querySelectorAll(".fx-bulk-pick:checked").length;
      count.textContent = String(chosen);
      if (all) {
        all.checked = chosen > 0 && chosen === picks().length;
        all.indeterminate = chosen > 0 && chosen < picks().length;
      }
    };
    document.addEventListener("change", function (event) {
      if (event.target === all) {
        picks().forEach(function (box) { box.checked = all.checked; });
      }
      if (event.target === all || event.target.classList.contains("fx-bulk-pick")) { update(); }
    });
    bulk.addEventListener("submit", function (event) {
      if (!document.querySelector(".fx-bulk-pick:checked")) {
        event.preventDefault();
        window.alert("Select the faxes to resubmit first.");
      }
    });
    update();
  }
})();
