/* The portal toolkit in the browser (faxline.portal.toolkit).
 *
 * A refusal (403) sent to an htmx request names where it belongs (HX-Retarget: the page's
 * main area): let htmx swap it like a success, so the person reads why instead of seeing
 * nothing happen. Other error answers keep htmx's default (no swap). */
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 403 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
