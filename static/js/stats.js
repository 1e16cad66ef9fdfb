/* Charts of the statistics pages, drawn with Chart.js (static/vendor/chart.umd.min.js) from the tables below
   them: the table stays the accessible source of the numbers; the chart is drawn above it.

   <table data-chart="bar" [data-stacked="true"] [data-horizontal="true"]>
     <thead> <th data-series> marks a column to draw; data-series="line" draws it as a line,
             data-axis="name" puts it on its own scale (volunteer hours beside counts).
     <tbody> rows with a <th scope="row"> label (or its data-label) and <td data-value="number"> cells. */
(function () {
  "use strict";
  if (!window.Chart || !document.querySelectorAll) {
    return;
  }
  var COLORS = ["#b8141b", "#e8912d", "#2b6cb0", "#2f855a", "#6b46c1", "#718096"];
  var Chart = window.Chart;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#333";

  function label(cell) {
    return (cell.getAttribute("data-label") || cell.textContent).replace(/\s+/g, " ").trim();
  }

  function draw(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return row.cells.length && row.cells[0].getAttribute("scope") === "row";
    });
    if (!rows.length) {
      return;
    }
    var horizontal = table.getAttribute("data-horizontal") === "true";
    var stacked = table.getAttribute("data-stacked") === "true";
    var valueAxis = horizontal ? "x" : "y";
    var scales = {};
    scales[horizontal ? "y" : "x"] = { stacked: stacked, ticks: { autoSkip: !horizontal } };
    scales[valueAxis] = { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }; // counts: whole numbers
    var datasets = [];
    Array.prototype.forEach.call(headers, function (th, index) {
      if (!th.hasAttribute("data-series")) {
        return;
      }
      var color = COLORS[datasets.length % COLORS.length];
      var dataset = {
        label: label(th),
        data: rows.map(function (row) {
          var cell = row.cells[index];
          return cell ? parseFloat(cell.getAttribute("data-value")) || 0 : 0;
        }),
        backgroundColor: color,
        borderColor: color,
        maxBarThickness: 40
      };
      if (th.getAttribute("data-series") === "line") {
        dataset.type = "line";
        dataset.tension = 0.2;
        dataset.order = -1;
      }
      var axis = th.getAttribute("data-axis");
      if (axis) {
        dataset[valueAxis + "AxisID"] = axis;
        scales[axis] = { position: horizontal ? "top" : "right", beginAtZero: true, grid: { drawOnChartArea: false },
                         title: { display: true, text: dataset.label } };
      }
      datasets.push(dataset);
    });
    if (!datasets.length) {
      return;
    }
    var caption = table.caption ? label(table.caption) : "";
    var box = document.createElement("div");
    box.className = "chart-box" + (horizontal ? " horizontal" : "");
    if (horizontal) {
      box.style.height = Math.max(220, rows.length * 26 + 70) + "px"; // CSSOM, allowed by the CSP
    }
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", caption + (table.getAttribute("data-chart-note") || ""));
    box.appendChild(canvas);
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(box, wrap);
    new Chart(canvas, {
      type: "bar",
      data: { labels: rows.map(function (row) { return label(row.cells[0]); }), datasets: datasets },
      options: {
        animation: false, // drawn at once: nothing moves (长辈模式, vestibular disorders, slow phones)
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        responsive: true,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: scales
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table[data-chart]"), function (table) {
    try {
      draw(table);
    } catch (error) {
      // The table below already shows every number; a chart that cannot be drawn is no loss of information.
      if (window.console) {
        window.console.error(error);
      }
    }
  });
})();
