/* The first sign-in ("a new fax number, or keep your existing one?"): show the fields of
 * the chosen answer only. */
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="choice"]');
  var sections = document.querySelectorAll(".fx-when");
  function sync() {
    var chosen = document.querySelector('input[name="choice"]:checked');
    sections.forEach(function (s) {
      var on = chosen && s.getAttribute("data-when") === chosen.value;
      s.hidden = !on;
      s.disabled = !on;
    });
  }
  radios.forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();
