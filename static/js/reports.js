/* Draws each report's charts from the JSON the server embedded (json_script "report-data"). */
(function () {
  "use strict";
  var node = document.getElementById("report-data");
  var box = document.getElementById("report-charts");
  if (!node || !box || typeof Chart === "undefined") return;
  var report = JSON.parse(node.textContent);
  var t = report.tables || {};

  function pick(rows, key) { return (rows || []).map(function (r) { return r[key]; }); }

  // Every chart names the table that holds its figures (rendered below the charts) and links to it,
  // so the numbers are there for screen readers, copying and CSV.
  function chart(table, title, type, labels, datasets, options) {
    if (!labels || !labels.length) return;
    var figure = document.createElement("figure");
    var caption = document.createElement("figcaption");
    caption.textContent = title;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", title);
    figure.appendChild(caption);
    figure.appendChild(canvas);
    var section = document.getElementById("table-" + table);
    if (section) {
      var link = document.createElement("a");
      link.className = "chart-table";
      link.href = "#table-" + table;
      var heading = section.querySelector("h2");
      link.textContent = "Figures: " + (heading ? heading.textContent : table);
      figure.setAttribute("data-table", table);
      figure.appendChild(link);
    }
    box.appendChild(figure);
    new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
        spanGaps: true, plugins: { legend: { position: "bottom" } } }, options || {})
    });
  }

  var hours = function (rows, key) {
    return pick(rows, key).map(function (v) { return v === null ? null : v / 3600; });
  };

  switch (report.report) {
    case "overview":
      chart("per_day", "Created, resolved and backlog per day", "line", pick(report.series, "day"), [
        { label: "Created", data: pick(report.series, "created"), yAxisID: "y" },
        { label: "Resolved", data: pick(report.series, "resolved"), yAxisID: "y" },
        { label: "Backlog", data: pick(report.series, "backlog"), yAxisID: "y1" }
      ], { scales: {
        y: { type: "linear", position: "left", beginAtZero: true,
             title: { display: true, text: "tickets per day" } },
        y1: { type: "linear", position: "right", beginAtZero: true,
              grid: { drawOnChartArea: false }, title: { display: true, text: "backlog" } }
      } });
      chart("by_queue", "Within SLA by queue (%)", "bar", pick(t.by_queue, "key"), [
        { label: "First response", data: pick(t.by_queue, "fr_compliance_pct") },
        { label: "Resolution", data: pick(t.by_queue, "res_compliance_pct") }
      ], { scales: { y: { min: 0, max: 100 } } });
      chart("by_priority", "Median hours by priority", "bar", pick(t.by_priority, "key"), [
        { label: "First response", data: hours(t.by_priority, "median_first_response_s") },
        { label: "Resolution", data: hours(t.by_priority, "median_resolution_s") }
      ]);
      break;
    case "agents":
      chart("agents", "Time against peers (1.0 = par for the same category and priority)", "bar",
        pick(t.agents, "agent"), [
          { label: "First response", data: pick(t.agents, "first_response_index") },
          { label: "Resolution", data: pick(t.agents, "resolution_index") }
        ]);
      chart("agents", "Resolution and reopen rate (%)", "bar", pick(t.agents, "agent"), [
        { label: "Resolution rate", data: pick(t.agents, "resolution_rate_pct") },
        { label: "Reopen rate", data: pick(t.agents, "reopen_rate_pct") }
      ]);
      chart("handling", "Median hours from assignment, per handling segment", "bar",
        pick(t.handling, "agent"), [
          { label: "To first reply", data: hours(t.handling, "median_response_from_assignment_s") },
          { label: "To resolution", data: hours(t.handling, "median_resolution_from_assignment_s") }
        ]);
      break;
    case "sla":
      chart("prediction", "Breach prediction against what happened (%)", "bar",
        pick(t.prediction, "clock"), [
          { label: "Precision (warnings that came true)", data: pick(t.prediction, "precision_pct") },
          { label: "Recall (breaches that were foreseen)", data: pick(t.prediction, "recall_pct") }
        ], { scales: { y: { min: 0, max: 100 } } });
      chart("by_priority", "Within SLA by priority (%)", "bar", pick(t.by_priority, "priority"), [
        { label: "First response", data: pick(t.by_priority, "fr_compliance_pct") },
        { label: "Resolution", data: pick(t.by_priority, "res_compliance_pct") }
      ], { scales: { y: { min: 0, max: 100 } } });
      break;
    case "routing":
      chart("cost_per_day", "Claude cost per day (USD)", "line", pick(t.cost_per_day, "day"), [
        { label: "Cost", data: pick(t.cost_per_day, "cost_usd") }
      ]);
      chart("by_queue", "First decision stood, by queue (%)", "bar", pick(t.by_queue, "first_queue"), [
        { label: "Stood", data: pick(t.by_queue, "stood_pct") },
        { label: "Triaged", data: pick(t.by_queue, "triage_pct") }
      ], { scales: { y: { min: 0, max: 100 } } });
      chart("ai_resolution", "AI resolution by confidence band (%)", "bar", pick(t.ai_resolution, "band"), [
        { label: "Resolved by AI", data: pick(t.ai_resolution, "resolved_pct") }
      ]);
      break;
    case "customers":
      var worst = (t.customers || []).slice(0, 20);
      chart("customers", "Lowest health scores", "bar", pick(worst, "customer_email"), [
        { label: "Health", data: pick(worst, "health") }
      ], { indexAxis: "y", scales: { x: { min: 0, max: 100 } } });
      break;
    case "recurring":
      var kinds = { categories: "categories", subcategories: "sub-categories", tags: "tags",
                    terms: "subject terms" };
      Object.keys(kinds).forEach(function (name) {
        var rows = (t[name] || []).slice(0, 10);
        chart(name, "Fastest growing " + kinds[name], "bar", pick(rows, "name"), [
          { label: "This period", data: pick(rows, "current") },
          { label: "Previous period", data: pick(rows, "previous") }
        ], { indexAxis: "y" });
      });
      break;
    case "csat":
      chart("distribution", "Ratings", "bar", pick(t.distribution, "score"), [
        { label: "Tickets", data: pick(t.distribution, "tickets") }
      ]);
      chart("per_day", "Average rating per day", "line", pick(report.series, "day"), [
        { label: "CSAT", data: pick(report.series, "csat_avg") }
      ], { scales: { y: { min: 1, max: 5 } } });
      break;
  }
})();
