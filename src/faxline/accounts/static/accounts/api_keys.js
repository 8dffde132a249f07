/* API keys: Copy the new key's secret (shown once). */
(function () {
  "use strict";
  var button = document.getElementById("fx-copy-key");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copyTarget);
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
