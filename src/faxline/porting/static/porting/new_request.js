/* + New Port Request: the wizard's fields that depend on others (BTN same as the first
 * number, the shared-line advice, the new BTN of a partial port) and the live check after a
 * change. */
(function () {
  "use strict";
  function wizard() { return document.getElementById("fx-wizard"); }
  function sync() {
    var w = wizard();
    if (!w) { return; }
    var same = w.querySelector("#id_btn_same");
    var btn = w.querySelector("#id_btn");
    if (same && btn) {
      btn.readOnly = same.checked;
      if (same.checked) {
        var first = w.querySelector("input[name='number_sub']");
        if (first && first.value) { btn.value = first.value; }
      }
    }
    var advice = w.querySelector("[data-fx-shared-advice]");
    if (advice) {
      advice.hidden = !w.querySelector("input[name='shared_line_uses']:checked");
    }
    var newBtn = w.querySelector("[data-fx-new-btn]");
    var partial = w.querySelector("input[name='port_type'][value='partial']");
    if (newBtn && partial) { newBtn.hidden = !partial.checked; }
  }
  // A changed field (outside [data-fx-nolive]) asks for the live check: the checking
  // element's hx-trigger is this event (an htmx trigger filter would need eval, which the
  // Content-Security-Policy forbids).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.closest || target.closest("[data-fx-nolive]") || !window.htmx) { return; }
    var live = target.closest("[data-fx-live-check]");
    if (live) { window.htmx.trigger(live, "fx-live-check"); }
  });
  document.addEventListener("change", sync);
  document.addEventListener("input", function (event) {
    if (event.target.name === "number_sub") { sync(); }
  });
  document.body.addEventListener("htmx:afterSettle", sync);
  sync();
})();
