/* Request Inventory: the location cascade and the Selected Numbers list. */
(function () {
  "use strict";
  // A changed list (country, state, area code, ...) asks the server for the next ones: the
  // cascade's hx-trigger is this event (an htmx trigger filter would need eval, which the
  // Content-Security-Policy forbids).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || select.tagName !== "SELECT" || !window.htmx) { return; }
    var cascade = select.closest("#fx-request-cascade");
    if (cascade) { window.htmx.trigger(cascade, "fx-cascade"); }
  });

  // Keeps Selected Numbers in step with the ticked numbers; the server stays the truth
  // (the hidden inputs of the list are what is posted).
  function list() { return document.getElementById("fx-selected"); }
  function items() { return Array.prototype.slice.call(list().querySelectorAll("li[data-number]")); }
  function refresh() {
    var count = items().length;
    list().querySelector(".fx-selected-empty").hidden = count > 0;
    document.getElementById("fx-selected-count").textContent = count + " selected";
  }
  function find(value) {
    return items().filter(function (li) { return li.dataset.number === value; })[0] || null;
  }
  function add(value, label) {
    if (find(value)) { return; }
    var li = document.getElementById("fx-selected-template").content.firstElementChild.cloneNode(true);
    li.dataset.number = value;
    li.querySelector("input").value = value;
    li.querySelector("span").textContent = label;
    var button = li.querySelector("button");
    button.value = value;
    button.setAttribute("aria-label", "Remove " + label);
    list().insertBefore(li, list().querySelector(".fx-selected-empty"));
    refresh();
  }
  function remove(value) {
    var li = find(value);
    if (li) { li.remove(); }
    document.querySelectorAll("input[name='choose']").forEach(function (box) {
      if (box.value === value) { box.checked = false; }
    });
    refresh();
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[name='choose']")) { return; }
    var label = box.labels && box.labels[0] ? box.labels[0].textContent.trim() : box.value;
    if (box.checked) { add(box.value, label); } else { remove(box.value); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".fx-remove");
    if (!button) { return; }
    event.preventDefault();
    var li = button.closest("li");
    var next = li.nextElementSibling && li.nextElementSibling.querySelector(".fx-remove");
    var previous = li.previousElementSibling && li.previousElementSibling.querySelector(".fx-remove");
    remove(button.value);
    (next || previous || list()).focus();
  });
})();
