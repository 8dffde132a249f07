/* The Dashboard's Top Destinations map: zoom (buttons and keys: + - 0, arrows pan) by
   scaling the SVG viewBox, and full screen (Fullscreen API, else a fixed overlay).
   Handlers are delegated, so the map keeps working after htmx swaps the panel. */
(function () {
  "use strict";

  var MAX_ZOOM = 6;
  var STEP = 1.5;

  function numbers(text) {
    return text.trim().split(/[\s,]+/).map(Number);
  }

  function parts(map) {
    var svg = map.querySelector(".fx-map-svg");
    return { svg: svg, box: numbers(svg.getAttribute("viewBox")), full: numbers(svg.dataset.base) };
  }

  function clamp(box, full) {
    var x = Math.min(Math.max(box[0], full[0]), full[0] + full[2] - box[2]);
    var y = Math.min(Math.max(box[1], full[1]), full[1] + full[3] - box[3]);
    return [x, y, box[2], box[3]];
  }

  function show(map, box) {
    var p = parts(map);
    p.svg.setAttribute("viewBox", box.map(function (n) { return Math.round(n * 10) / 10; }).join(" "));
    var level = p.full[2] / box[2];
    map.dataset.zoom = level.toFixed(2);
    var out = map.querySelector('[data-map-action="out"]');
    var into = map.querySelector('[data-map-action="in"]');
    if (out) { out.disabled = level <= 1.001; }
    if (into) { into.disabled = level >= MAX_ZOOM - 0.001; }
    var label = map.querySelector(".fx-map-zoom");
    if (label) { label.textContent = Math.round(level * 100) + "%"; }
  }

  function zoom(map, factor) {
    var p = parts(map);
    var level = Math.min(MAX_ZOOM, Math.max(1, (p.full[2] / p.box[2]) * factor));
    var w = p.full[2] / level;
    var h = p.full[3] / level;
    var cx = p.box[0] + p.box[2] / 2;
    var cy = p.box[1] + p.box[3] / 2;
    show(map, clamp([cx - w / 2, cy - h / 2, w, h], p.full));
  }

  function pan(map, dx, dy) {
    var p = parts(map);
    show(map, clamp([p.box[0] + dx * p.box[2] * 0.2, p.box[1] + dy * p.box[3] * 0.2, p.box[2], p.box[3]], p.full));
  }

  function reset(map) {
    show(map, parts(map).full);
  }

  function fullScreen(map) {
    if (document.fullscreenElement === map) {
      document.exitFullscreen();
      return;
    }
    if (map.classList.contains("fx-map-expanded")) {
      map.classList.remove("fx-map-expanded");
      return;
    }
    var fallback = function () { map.classList.add("fx-map-expanded"); };
    if (map.requestFullscreen && document.fullscreenEnabled) {
      var asked = map.requestFullscreen();
      if (asked && asked.catch) { asked.catch(fallback); }
    } else {
      fallback();
    }
  }

  var ACTIONS = {
    "in": function (map) { zoom(map, STEP); },
    "out": function (map) { zoom(map, 1 / STEP); },
    "all": reset,
    "full": fullScreen
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-map-action]");
    if (!button) { return; }
    var map = button.closest(".fx-map");
    var action = ACTIONS[button.dataset.mapAction];
    if (map && action) { action(map); }
  });

  var KEYS = {
    "+": function (map) { zoom(map, STEP); },
    "=": function (map) { zoom(map, STEP); },
    "-": function (map) { zoom(map, 1 / STEP); },
    "0": reset,
    "f": fullScreen,
    "F": fullScreen,
    "ArrowLeft": function (map) { pan(map, -1, 0); },
    "ArrowRight": function (map) { pan(map, 1, 0); },
    "ArrowUp": function (map) { pan(map, 0, -1); },
    "ArrowDown": function (map) { pan(map, 0, 1); }
  };

  document.addEventListener("keydown", function (event) {
    var map = event.target.closest && event.target.closest(".fx-map");
    if (!map || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape" && map.classList.contains("fx-map-expanded")) {
      map.classList.remove("fx-map-expanded");
      return;
    }
    if (event.target.tagName === "BUTTON" && (event.key === "Enter" || event.key === " ")) { return; }
    var action = KEYS[event.key];
    if (action) {
      event.preventDefault();
      action(map);
    }
  });

  /* The map's tools need this script; the chart's Show button is only for pages without
     it (htmx re-renders the panel on every change). */
  function enable() {
    document.querySelectorAll(".fx-map-tools[hidden]").forEach(function (tools) { tools.hidden = false; });
    if (window.htmx) {
      document.querySelectorAll(".fx-traffic-show").forEach(function (button) { button.hidden = true; });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enable);
  } else {
    enable();
  }
  document.addEventListener("htmx:afterSettle", enable);
})();
