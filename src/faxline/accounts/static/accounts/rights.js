/*
 * The Rights checkboxes (Administrator Details > Rights, and Add Administrator).
 *
 * - A group's main box ticks or clears all its rights; ticking a right ticks its group
 *   (the guide: "by de-selecting one of the main categories, the list of associated
 *   permissions is automatically de-selected").
 * - Read-Only Administrator: a read-only administrator holds view rights only, so ticking
 *   the box clears and disables every right that changes something; unticking it gives
 *   back what was ticked before. The server applies the same rule when saving.
 */
(function () {
  "use strict";

  var READ_ONLY_TITLE = "A read-only administrator cannot hold this right.";

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function setUp(form) {
    form.setAttribute("data-fx-rights-ready", "");
    var readOnly = form.querySelector("[data-fx-read-only]");
    var note = form.querySelector("[data-fx-read-only-note]");
    var mains = all(form, "[data-fx-group]");

    function members(main) {
      return all(form, '[data-fx-member="' + main.getAttribute("data-fx-group") + '"]');
    }

    function sync(main) {
      var boxes = members(main);
      var on = boxes.filter(function (box) { return box.checked; }).length;
      main.checked = on > 0;
      main.indeterminate = on > 0 && on < boxes.length;
    }

    function applyReadOnly() {
      var on = Boolean(readOnly && readOnly.checked);
      all(form, "[data-fx-changes][data-fx-grantable]").forEach(function (box) {
        var item = box.closest("li");
        if (on && !box.disabled) {
          box.setAttribute("data-fx-was", box.checked ? "on" : "");
          box.checked = false;
          box.disabled = true;
          box.title = READ_ONLY_TITLE;
        } else if (!on && box.disabled) {
          box.disabled = false;
          box.removeAttribute("title");
          if (box.hasAttribute("data-fx-was")) {
            box.checked = box.getAttribute("data-fx-was") === "on";
            box.removeAttribute("data-fx-was");
          }
        }
        if (item) { item.classList.toggle("is-read-only", on); }
      });
      mains.forEach(function (main) {
        var changesOnly = members(main).every(function (box) {
          return box.hasAttribute("data-fx-changes");
        });
        main.disabled = on && changesOnly;
        sync(main);
      });
      if (note) { note.hidden = !on; }
    }

    mains.forEach(function (main) {
      main.addEventListener("change", function () {
        members(main).forEach(function (box) {
          if (!box.disabled) { box.checked = main.checked; }
        });
        sync(main);
      });
      members(main).forEach(function (box) {
        box.addEventListener("change", function () { sync(main); });
      });
    });
    if (readOnly) { readOnly.addEventListener("change", applyReadOnly); }
    applyReadOnly();
  }

  // Every form with Rights checkboxes not yet set up (the Add Administrator wizard is
  // swapped in by htmx from step to step, and this script with it: it listens once).
  function start() {
    var forms = [];
    all(document, "[data-fx-group]").forEach(function (main) {
      var form = main.form;
      if (form && !form.hasAttribute("data-fx-rights-ready") && forms.indexOf(form) < 0) {
        forms.push(form);
      }
    });
    forms.forEach(setUp);
  }

  if (!window.fxRightsListening) {
    window.fxRightsListening = true;
    document.addEventListener("htmx:afterSettle", start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
