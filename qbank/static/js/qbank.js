// qbank — small progressive enhancements shared by every page. No framework.
(function () {
  "use strict";
  // Close the mobile menu after a link is chosen.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".mainnav a");
    var toggle = document.getElementById("nav-check");
    if (link && toggle) { toggle.checked = false; }
  });
  // Ask before a form marked data-confirm is sent.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
