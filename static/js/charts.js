// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">.
// Each chart also has a table with the same figures for screen readers and keyboard users.
(function () {
  if (typeof Chart === "undefined") return;
  var palette = ["#0b4f6c", "#c0392b", "#2e7d32", "#8e44ad", "#b9770e"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    spec.datasets.forEach(function (dataset, index) {
      dataset.backgroundColor = dataset.backgroundColor || palette[index % palette.length];
      dataset.borderColor = dataset.borderColor || palette[index % palette.length];
    });
    new Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.indexAxis || "x",
        scales: spec.stacked ? { x: { stacked: true }, y: { stacked: true } } : {},
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
