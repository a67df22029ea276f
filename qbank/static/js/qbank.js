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
// "Select all" checkboxes: <input type=checkbox data-select-all="ids"> toggles every name="ids".
document.addEventListener("change", function (event) {
  "use strict";
  var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
  if (!name) { return; }
  var form = event.target.form || document;
  form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
