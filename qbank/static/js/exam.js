// The mock exam: one question at a time, a navigator, a server-kept timer, and answers saved the
// moment they are given. Every save has an idempotency key and a sequence number; unsent saves
// are kept in localStorage so that a closed tab, a crash or a dropped network loses nothing.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var api = root.dataset.api;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var t = JSON.parse(document.getElementById("exam-i18n").textContent);
  var storeKey = "qbank-exam-" + root.dataset.attempt;
  var questions = Array.prototype.slice.call(root.querySelectorAll(".exam-q"));
  var stateEl = root.querySelector("[data-save-state]");
  var current = 0, shownAt = Date.now(), closed = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  var pending = load();  // position -> {answer, seq, key, seconds}
  function persist() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  var seqs = {};
  questions.forEach(function (q) { seqs[q.dataset.position] = parseInt(q.dataset.seq, 10) || 0; });

  function setState(text, bad) {
    stateEl.textContent = text;
    stateEl.classList.toggle("bad", !!bad);
  }
  function request(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  // ---- answers --------------------------------------------------------------------------
  function answerOf(q) {
    if (q.dataset.type === "short") {
      var text = q.querySelector("[data-answer-text]").value;
      return text.trim() ? { text: text } : null;
    }
    var keys = [];
    q.querySelectorAll("input[name^=q]:checked").forEach(function (el) { keys.push(el.value); });
    return keys.length ? { keys: keys } : null;
  }
  function isAnswered(q) { return answerOf(q) !== null; }
  function refreshNav(q) {
    var cell = document.getElementById("nav-" + q.dataset.position);
    cell.classList.toggle("answered", isAnswered(q));
    cell.classList.toggle("flagged", q.querySelector("[data-flag]").checked);
  }
  function queue(q) {
    var pos = q.dataset.position;
    var seconds = (Date.now() - shownAt) / 1000;
    shownAt = Date.now();
    seqs[pos] = Math.max(seqs[pos], (pending[pos] || {}).seq || 0) + 1;
    pending[pos] = { answer: answerOf(q), seq: seqs[pos], key: uuid(), seconds: Math.min(seconds, 3600) };
    persist();
    refreshNav(q);
    flush();
  }

  var sending = false, backoff = 1000, timer = null, newerElsewhere = false;
  function flush() {
    if (sending || closed) { return Promise.resolve(); }
    var positions = Object.keys(pending);
    if (!positions.length) { setState(t.saved); return Promise.resolve(); }
    sending = true;
    setState(t.saving);
    var pos = positions[0], save = pending[pos];
    return request("PUT", api + "/items/" + pos, save).then(function (r) {
      if (r.ok || r.status === 422) {
        // 422: the server refused this answer as malformed; it will never be accepted.
        if (pending[pos] && pending[pos].key === save.key) { delete pending[pos]; persist(); }
        backoff = 1000;
        sending = false;
        return (r.ok ? r.json() : Promise.resolve({})).then(function (data) {
          if (r.ok && !data.stored && data.seq > save.seq) { newerElsewhere = true; }
          if (!Object.keys(pending).length && newerElsewhere) { location.reload(); return; }
          return flush();
        });
      }
      if (r.status === 409) { closed = true; localStorage.removeItem(storeKey); alert(t.expired); location.reload(); return; }
      if (r.status === 401) { sending = false; setState(t.signedOut, true); return; }
      throw new Error("HTTP " + r.status);
    }).catch(function () {
      sending = false;
      setState(navigator.onLine === false ? t.offline : t.retrying, true);
      clearTimeout(timer);
      timer = setTimeout(flush, backoff);
      backoff = Math.min(backoff * 2, 15000);
    });
  }

  questions.forEach(function (q) {
    q.addEventListener("change", function (e) {
      if (e.target.matches("[data-flag]")) {
        refreshNav(q);
        request("PUT", api + "/items/" + q.dataset.position + "/flag", { flagged: e.target.checked })
          .catch(function () {});
        return;
      }
      if (e.target.matches("input[name^=q]")) { queue(q); }
    });
    var area = q.querySelector("[data-answer-text]");
    if (area) {
      var typing;
      area.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(function () { queue(q); }, 800); });
      area.addEventListener("blur", function () { clearTimeout(typing); queue(q); });
    }
    refreshNav(q);
  });

  // ---- navigation -----------------------------------------------------------------------
  function show(index) {
    index = Math.max(0, Math.min(questions.length - 1, index));
    questions[current].hidden = true;
    document.getElementById("nav-" + questions[current].dataset.position).classList.remove("current");
    current = index;
    questions[current].hidden = false;
    document.getElementById("nav-" + questions[current].dataset.position).classList.add("current");
    shownAt = Date.now();
    root.querySelector(".navigator").classList.remove("open");
    questions[current].scrollIntoView({ block: "nearest" });
    try { sessionStorage.setItem(storeKey + "-at", String(current)); } catch (e) { /* ignore */ }
  }
  root.addEventListener("click", function (e) {
    var go = e.target.closest("[data-goto]");
    if (go) { show(parseInt(go.dataset.goto, 10) - 1); }
    var step = e.target.closest("[data-step]");
    if (step) { show(current + parseInt(step.dataset.step, 10)); }
    if (e.target.closest("[data-toggle-nav]")) { root.querySelector(".navigator").classList.toggle("open"); }
    if (e.target.closest("[data-open-submit]")) { openSubmit(); }
  });

  // ---- hand-in ----------------------------------------------------------------------------
  var dialog = root.querySelector("[data-submit-dialog]");
  function listOf(filter) {
    return questions.filter(filter).map(function (q) { return q.dataset.position; });
  }
  function openSubmit() {
    var missing = listOf(function (q) { return !isAnswered(q); });
    var flagged = listOf(function (q) { return q.querySelector("[data-flag]").checked; });
    var text = missing.length ? t.unanswered.replace("{list}", missing.join("、")) : t.allAnswered;
    if (flagged.length) { text += " " + t.flagged.replace("{list}", flagged.join("、")); }
    root.querySelector("[data-unanswered-summary]").textContent = text;
    if (dialog.showModal) { dialog.showModal(); } else if (confirm(text)) { handIn(); }
  }
  dialog.addEventListener("close", function () { if (dialog.returnValue === "confirm") { handIn(); } });
  function handIn() {
    var tries = 0;
    function attempt() {
      return flush().then(function () {
        if (Object.keys(pending).length && tries++ < 5) { return new Promise(function (r) { setTimeout(r, 1000); }).then(attempt); }
        return request("POST", api + "/submit");
      });
    }
    attempt().then(function (r) {
      if (r && r.ok) { closed = true; localStorage.removeItem(storeKey); location.reload(); }
      else { setTimeout(handIn, 2000); }
    }).catch(function () { setTimeout(handIn, 2000); });
  }

  // ---- the clock (the server keeps the deadline; this only shows it) ---------------------------
  var clock = root.querySelector("[data-timer]");
  if (root.dataset.remaining !== "") {
    var deadline = Date.now() + parseFloat(root.dataset.remaining) * 1000, warned = {};
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      clock.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      clock.classList.toggle("low", left <= 600);
      if (left <= 600 && !warned[10]) { warned[10] = true; setState(t.tenMinutes); }
      if (left <= 60 && !warned[1]) { warned[1] = true; setState(t.oneMinute, true); }
      if (left === 0 && !closed) { closed = true; sending = false; flushThenSubmit(); return; }
      setTimeout(tick, 1000 - (Date.now() % 1000));
    };
    var flushThenSubmit = function () { closed = false; handIn(); };
    tick();
  } else { clock.textContent = "∞"; }

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });
  window.addEventListener("beforeunload", function (e) {
    if (Object.keys(pending).length && !closed) { e.preventDefault(); e.returnValue = t.leave; return t.leave; }
  });

  var start = 0;
  try { start = parseInt(sessionStorage.getItem(storeKey + "-at"), 10) || 0; } catch (e) { start = 0; }
  questions[0].hidden = true;
  current = 0;
  questions[Math.min(start, questions.length - 1)].hidden = false;
  current = Math.min(start, questions.length - 1);
  document.getElementById("nav-" + questions[current].dataset.position).classList.add("current");
  // answers given on this device but not sent before the page closed: show and send them
  Object.keys(pending).forEach(function (pos) {
    var q = document.getElementById("q" + pos), save = pending[pos];
    if (!q) { delete pending[pos]; return; }
    if (q.dataset.type === "short") {
      q.querySelector("[data-answer-text]").value = save.answer ? save.answer.text : "";
    } else {
      var keys = save.answer ? save.answer.keys : [];
      q.querySelectorAll("input[name^=q]").forEach(function (el) { el.checked = keys.indexOf(el.value) >= 0; });
    }
    seqs[pos] = Math.max(seqs[pos], save.seq);
    refreshNav(q);
  });
  persist();
  flush();
})();
