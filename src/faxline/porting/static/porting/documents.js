/* Number Porting: the Files tab's upload form (show the facts of the chosen document type)
   and the e-signature form's signature pad (mouse, finger or pen; no library, no CDN).
   Safe to load more than once (htmx swaps the Files tab in again after an upload). */
(function () {
  "use strict";
  if (window.fxDocuments) {
    window.fxDocuments.init(document);
    return;
  }

  function initUpload(form) {
    if (form.dataset.fxReady) return;
    form.dataset.fxReady = "1";
    var select = form.querySelector("[data-fx-kind]");
    var sets = form.querySelectorAll("[data-fx-facts]");
    function show() {
      var kind = select ? select.value : "";
      sets.forEach(function (set) {
        var on = set.getAttribute("data-fx-facts") === kind;
        set.hidden = !on;
        set.disabled = !on;
      });
    }
    if (select) select.addEventListener("change", show);
    show();
  }

  function initSign(form) {
    if (form.dataset.fxReady) return;
    form.dataset.fxReady = "1";
    var canvas = form.querySelector("[data-fx-pad]");
    var wrap = form.querySelector("[data-fx-pad-wrap]");
    var typed = form.querySelector("[data-fx-typed]");
    var preview = form.querySelector("[data-fx-typed-preview]");
    var source = form.querySelector("[data-fx-typed-source]");
    var output = form.querySelector("[data-fx-signature-data]");
    var error = form.querySelector("[data-fx-pad-error]");
    var radios = form.querySelectorAll("[data-fx-kind-radio]");
    var ctx = canvas.getContext("2d");
    var strokes = 0;
    var drawing = false;
    var last = null;

    function kind() {
      var checked = form.querySelector("[data-fx-kind-radio]:checked");
      return checked ? checked.value : "drawn";
    }

    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var width = canvas.clientWidth || 600;
      var height = canvas.clientHeight || 180;
      if (canvas.width === Math.round(width * ratio) && canvas.height === Math.round(height * ratio)) return;
      var keep = strokes ? canvas.toDataURL("image/png") : null;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#0d2a6b";
      if (keep) {
        var img = new Image();
        img.onload = function () { ctx.drawImage(img, 0, 0, width, height); };
        img.src = keep;
      }
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top, p: event.pressure || 0.5 };
    }

    function start(event) {
      if (event.button !== undefined && event.button !== 0) return;
      drawing = true;
      last = point(event);
      canvas.setPointerCapture && canvas.setPointerCapture(event.pointerId);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
      ctx.fillStyle = "#0d2a6b";
      ctx.fill();
      event.preventDefault();
    }

    function move(event) {
      if (!drawing) return;
      var next = point(event);
      var mid = { x: (last.x + next.x) / 2, y: (last.y + next.y) / 2 };
      ctx.lineWidth = 1.6 + 2.2 * (next.p || 0.5);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.quadraticCurveTo(last.x, last.y, mid.x, mid.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
      strokes += 1;
      wrap.classList.add("has-ink");
      if (error) error.hidden = true;
      canvas.classList.remove("is-invalid");
      event.preventDefault();
    }

    function end() {
      drawing = false;
      last = null;
    }

    function clear() {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
      strokes = 0;
      wrap.classList.remove("has-ink");
    }

    function sync() {
      var drawn = kind() === "drawn";
      wrap.hidden = !drawn;
      if (typed) typed.hidden = drawn;
      if (drawn) resize();
    }

    function updatePreview() {
      if (preview && source) preview.textContent = source.value.trim() || source.placeholder || "";
    }

    canvas.addEventListener("pointerdown", start);
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);
    form.querySelector("[data-fx-pad-clear]").addEventListener("click", clear);
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    if (source) source.addEventListener("input", updatePreview);
    window.addEventListener("resize", function () { if (kind() === "drawn") resize(); });

    form.addEventListener("submit", function (event) {
      if (kind() !== "drawn") {
        output.value = "";
        return;
      }
      if (strokes < 3) {
        event.preventDefault();
        if (error) error.hidden = false;
        canvas.classList.add("is-invalid");
        canvas.focus();
        return;
      }
      output.value = canvas.toDataURL("image/png");
    });

    sync();
    updatePreview();
  }

  function init(root) {
    (root || document).querySelectorAll("[data-fx-upload]").forEach(initUpload);
    (root || document).querySelectorAll("[data-fx-sign]").forEach(initSign);
  }

  window.fxDocuments = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.body.addEventListener("htmx:afterSwap", function () { init(document); });
})();
