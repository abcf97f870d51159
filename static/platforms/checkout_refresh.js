// The checkout's payment step looks again by itself while a bank or card is in review (the element with
// data-refresh-seconds says how often and where), unless the buyer has started to fill in a form: reloading
// then would wipe what they typed. An external file, as every portal script (no inline script).
(function () {
  "use strict";
  var marker = document.querySelector("[data-refresh-seconds]");
  if (!marker) return;
  var seconds = parseInt(marker.getAttribute("data-refresh-seconds"), 10);
  var target = marker.getAttribute("data-refresh-url") || window.location.pathname;
  if (!(seconds > 0)) return;
  // The pause is kept on the element (not in a variable): it is the page's state, visible to tests and tools.
  function touch() {
    marker.setAttribute("data-refresh-paused", "true");
  }
  document.addEventListener("input", touch, true);
  document.addEventListener("change", touch, true);
  window.setTimeout(function () {
    if (!marker.hasAttribute("data-refresh-paused")) window.location.replace(target);
  }, seconds * 1000);
})();
