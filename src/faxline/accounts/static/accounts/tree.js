/*
 * Account Administration: the tree's actions menus, expanding departments, paging.
 *
 * - Right-click anywhere on an entry's row, its name included, opens the entry's actions
 *   menu next to the pointer, as the guide describes ("right click on your company name").
 *   The gear button opens the same menu from the keyboard; the context-menu key (or
 *   Shift+F10) on the name does too, and moves the focus into the menu.
 * - Lock / Unlock / Delete fetch their confirmation (htmx) into a modal, and show it.
 * - A department's toggle expands and collapses it; the first time, its children are
 *   fetched (htmx) into the list below it. ArrowRight / ArrowLeft on a row's toggle or name
 *   expand and collapse it too. "Show more" fetches the next page of a node's children in
 *   its place and moves the focus to the first entry it brought.
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

  var EXPANDER = ".fx-toggle";

  function childrenOf(toggle) {
    return document.getElementById(toggle.getAttribute("aria-controls"));
  }

  function loadInto(list, url, source, swap) {
    return window.htmx.ajax("GET", url, { source: source, target: list, swap: swap });
  }

  function setExpanded(toggle, open) {
    var list = childrenOf(toggle);
    if (!list) { return; }
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.setAttribute("aria-label", (open ? "Collapse " : "Expand ") + toggle.dataset.fxName);
    list.hidden = !open;
    var url = toggle.dataset.fxChildren;
    if (!open || !url) { return; }
    // Fetched once; kept (and toggled locally) afterwards.
    delete toggle.dataset.fxChildren;
    list.setAttribute("aria-busy", "true");
    list.innerHTML = "";
    var loading = document.createElement("li");
    loading.className = "fx-node-loading";
    loading.textContent = "Loading…";
    list.appendChild(loading);
    function done() {
      list.removeAttribute("aria-busy");
      if (list.contains(loading)) {
        // Not swapped (an error answer): say so, and let the next click try again.
        loading.textContent = "Could not load. Collapse and expand to try again.";
        toggle.dataset.fxChildren = url;
      }
    }
    loadInto(list, url, toggle, "innerHTML").then(done, done);
  }

  function showMore(button) {
    var item = button.closest("li");
    var list = item.parentElement;
    var before = item.previousElementSibling;
    button.disabled = true;
    button.textContent = "Loading…";
    function done() {
      if (list.contains(item)) {  // not swapped: offer the button again
        button.disabled = false;
        button.textContent = "Show more";
        return;
      }
      var first = before ? before.nextElementSibling : list.firstElementChild;
      var target = first && first.querySelector(".fx-node-name, .fx-more");
      if (target) { target.focus(); }
    }
    loadInto(item, button.dataset.fxMore, button, "outerHTML").then(done, done);
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    var toggle = event.target.closest(EXPANDER);
    if (toggle) {
      setExpanded(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    var more = event.target.closest("[data-fx-more]");
    if (more && !more.disabled) { showMore(more); }
  });

  // ArrowRight opens a row, ArrowLeft closes it (or goes to its parent), as in a tree view.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") { return; }
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    if (!target.closest || !target.matches(".fx-node-name, " + EXPANDER)) { return; }
    var row = target.closest("[data-fx-node]");
    if (!row) { return; }
    var toggle = row.querySelector(EXPANDER);
    var open = toggle && toggle.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowRight" && toggle && !open) {
      event.preventDefault();
      setExpanded(toggle, true);
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      if (toggle && open) {
        setExpanded(toggle, false);
      } else {
        var parent = row.closest(".fx-children");
        var owner = parent && parent.parentElement.querySelector(".fx-node-row .fx-node-name");
        if (owner) { owner.focus(); }
      }
    }
  });

  // Lock / Unlock / Delete ask first: their confirmation is fetched into the modal (without
  // JS the link opens the confirmation page).
  document.addEventListener("click", function (event) {
    if (!event.target.closest || event.button !== 0) { return; }
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    var link = event.target.closest("a[data-fx-confirm]");
    if (!link) { return; }
    event.preventDefault();
    window.htmx.ajax("GET", link.getAttribute("href"), {
      source: link,
      target: "#fx-confirm .modal-content",
      swap: "innerHTML"
    });
  });

  // Opened at a department (after an action there): bring it into view.
  var opened = document.querySelector("[data-fx-opened]");
  if (opened) { opened.scrollIntoView({ block: "center" }); }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.closest("#fx-confirm")) {
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("fx-confirm")).show();
    }
  });
})();
