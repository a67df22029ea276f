// Examiners' room: small enhancements. Pages work without them.
(function () {
  "use strict";
  // Blueprint editor: a problem's line button selects that line in the textarea.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-goto-line]");
    if (!button) { return; }
    var area = document.getElementById(button.getAttribute("data-target") || "source");
    if (!area) { return; }
    var line = parseInt(button.getAttribute("data-goto-line"), 10);
    var lines = area.value.split("\n");
    var start = 0;
    for (var i = 0; i < Math.max(line - 1, 0) && i < lines.length; i += 1) { start += lines[i].length + 1; }
    var end = start + (lines[line - 1] || "").length;
    area.focus();
    area.setSelectionRange(start, end);
    var height = area.scrollHeight / Math.max(lines.length, 1);
    area.scrollTop = Math.max(0, (line - 5) * height);
  });
  // Assemble form: say that the solver is working (it takes a second or two).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-busy]")) { return; }
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.textContent = form.getAttribute("data-busy");
    }
  });
})();
