// Bar widths and timeline positions arrive as data-width / data-left (percent) and are set here:
// the Content-Security-Policy allows no inline style attributes. Runs on the page and on every
// piece of it htmx swaps in.
(function () {
  "use strict";
  function place(root) {
    var elements = root.querySelectorAll ? root.querySelectorAll("[data-width], [data-left]") : [];
    var all = root.matches && root.matches("[data-width], [data-left]") ? [root].concat(Array.from(elements)) : Array.from(elements);
    all.forEach(function (element) {
      if (element.dataset.width !== undefined) element.style.width = element.dataset.width + "%";
      if (element.dataset.left !== undefined) element.style.left = element.dataset.left + "%";
    });
  }
  if (window.htmx) {
    htmx.onLoad(place);
  } else {  // a page without htmx (the fleet report)
    document.addEventListener("DOMContentLoaded", function () { place(document.body); });
  }
})();
