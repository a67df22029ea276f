// The question editor: option and rubric rows, live preview, near-duplicate hints, image upload.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) { return; }
  var i18n = JSON.parse(document.getElementById("editor-i18n").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var LETTERS = "ABCDEFGH";

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); });
  }
  function debounce(fn, ms) {
    var t; return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // option rows: letters and the values of the "correct" inputs follow the row order
  var optionList = form.querySelector("[data-option-rows]");
  function renumber() {
    if (!optionList) { return; }
    Array.prototype.forEach.call(optionList.children, function (row, i) {
      row.querySelector(".letter").textContent = LETTERS[i];
      row.querySelector('input[name="option_correct"]').value = String(i);
    });
    var add = form.querySelector("[data-add-option]");
    if (add) { add.disabled = optionList.children.length >= LETTERS.length; }
  }
  function addRow(templateId, list) {
    var node = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
    list.appendChild(node);
    renumber(); rubricSum();
    var input = node.querySelector("textarea, input[type=text]");
    if (input) { input.focus(); }
  }
  form.addEventListener("click", function (e) {
    if (e.target.closest("[data-add-option]")) { addRow("option-row-template", optionList); }
    if (e.target.closest("[data-add-rubric]")) {
      addRow("rubric-row-template", form.querySelector("[data-rubric-rows]"));
    }
    var remove = e.target.closest("[data-remove-row]");
    if (remove) { remove.closest("li").remove(); renumber(); rubricSum(); schedule(); }
  });

  // rubric total against the question's points
  function rubricSum() {
    var out = form.querySelector("[data-rubric-sum]");
    if (!out) { return; }
    var sum = 0;
    form.querySelectorAll('input[name="rubric_points"]').forEach(function (el) {
      sum += parseFloat(el.value) || 0;
    });
    var points = parseFloat((form.querySelector("#points") || {}).value) || 0;
    out.textContent = i18n.total.replace("{sum}", sum).replace("{points}", points);
    out.classList.toggle("bad", Math.abs(sum - points) > 1e-9);
  }

  // live preview and near-duplicate hints
  var target = form.querySelector("[data-preview-target]");
  function collect() {
    var fields = { stem: form.querySelector("#stem").value };
    form.querySelectorAll('textarea[name="option_text"]').forEach(function (el, i) {
      fields["option" + i] = el.value;
    });
    var ref = form.querySelector("#reference_answer");
    if (ref) { fields.reference = ref.value; }
    fields.explanation = form.querySelector("#explanation").value;
    return fields;
  }
  function render() {
    var fields = collect();
    post(form.dataset.previewUrl, { fields: fields }).then(function (data) {
      var html = data.html, parts = ['<div class="stem">' + (html.stem || "") + "</div>"];
      var options = [];
      Object.keys(html).forEach(function (k) {
        if (k.indexOf("option") === 0) { options.push([parseInt(k.slice(6), 10), html[k]]); }
      });
      options.sort(function (a, b) { return a[0] - b[0]; });
      if (options.length) {
        parts.push('<ol class="options" type="A">');
        options.forEach(function (o) {
          parts.push('<li><span class="opt-key">' + LETTERS[o[0]] + '</span><span class="opt-text">' + o[1] + "</span></li>");
        });
        parts.push("</ol>");
      }
      if (html.reference) { parts.push('<div class="reference">' + html.reference + "</div>"); }
      if (html.explanation) { parts.push('<div class="explanation">' + html.explanation + "</div>"); }
      target.innerHTML = parts.join("");  // server-rendered and sanitized
    }).catch(function () {});
    var text = [fields.stem].concat(Object.keys(fields).filter(function (k) {
      return k.indexOf("option") === 0;
    }).map(function (k) { return fields[k]; })).join("\n");
    post(form.dataset.similarUrl, { text: text, exclude: form.dataset.exclude }).then(function (data) {
      var box = form.querySelector("[data-similar]"), list = form.querySelector("[data-similar-list]");
      list.textContent = "";
      data.matches.forEach(function (m) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = m.url; a.textContent = m.uid; a.target = "_blank";
        li.appendChild(a);
        li.appendChild(document.createTextNode(" " + Math.round(m.similarity * 100) + "% " + i18n.similar));
        list.appendChild(li);
      });
      box.hidden = data.matches.length === 0;
    }).catch(function () {});
  }
  var schedule = debounce(render, 400);
  form.addEventListener("input", function (e) {
    if (e.target.matches("textarea, #points, input[name=rubric_points]")) { schedule(); rubricSum(); }
  });

  // a filter box above a long <select>
  form.querySelectorAll("[data-filter-select]").forEach(function (box) {
    var select = document.getElementById(box.dataset.filterSelect);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (opt) {
        opt.hidden = q !== "" && opt.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  });

  // image upload: insert Markdown at the cursor
  form.querySelectorAll("[data-upload-into]").forEach(function (input) {
    input.addEventListener("change", function () {
      var file = input.files[0], status = form.querySelector("[data-upload-status]");
      if (!file) { return; }
      var data = new FormData(); data.append("image", file);
      status.textContent = i18n.uploading;
      fetch(form.dataset.uploadUrl, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf } })
        .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
        .then(function (res) {
          if (!res[0]) { status.textContent = res[1].message || i18n.failed; return; }
          var area = document.getElementById(input.dataset.uploadInto);
          var md = "![" + file.name.replace(/[\[\]]/g, "") + "](" + res[1].url + ")";
          var at = area.selectionStart || area.value.length;
          area.value = area.value.slice(0, at) + md + area.value.slice(at);
          status.textContent = i18n.uploaded; schedule();
        }).catch(function () { status.textContent = i18n.failed; });
      input.value = "";
    });
  });

  renumber(); rubricSum(); render();
})();
