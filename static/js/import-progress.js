// The import page while a background job runs: poll its status, move the bar, reload when it is done.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return setTimeout(poll, 5000);
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
        if (text) text.textContent = status.rows_done + " / " + status.rows_total;
        if (status.running) setTimeout(poll, 1500);
        else window.location.reload();
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
