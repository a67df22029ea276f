// Progress of a background job: poll its status until it finishes, then reload the page.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  var bar = box.querySelector("[data-job-progress]"), message = box.querySelector("[data-job-message]");
  function poll() {
    fetch(box.dataset.jobStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        message.textContent = job.message || "";
        if (job.status === "done" || job.status === "failed") { location.reload(); }
        else { setTimeout(poll, 700); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
