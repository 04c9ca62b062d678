// Follows a background run: updates the progress bar and reloads the page when the run has finished.
(function () {
  var box = document.getElementById("run-progress");
  if (!box || box.dataset.finished === "true") return;
  var bar = document.getElementById("progress-bar");
  var label = document.getElementById("run-status");
  var live = document.getElementById("run-live");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.value = state.progress;
        bar.textContent = state.progress + " %";
        label.textContent = state.label;
        live.textContent = state.label + " " + state.progress + " %";
        if (state.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
