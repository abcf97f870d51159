// Dashboard rate chart: draws the server-rendered history with Chart.js (vendored in static/vendor/chartjs)
// and switches period without a reload by asking the portal's history endpoint (the API's selector).
(function () {
  "use strict";
  var dataNode = document.getElementById("rate-chart-data");
  var canvas = document.getElementById("rate-chart");
  if (!dataNode || !canvas || !window.Chart) return;
  var box = canvas.closest("[data-rates]");
  var empty = box.querySelector(".chart-box__empty");
  var urlTemplate = box.getAttribute("data-history-url");
  var lang = document.documentElement.lang || "en";
  var state = JSON.parse(dataNode.textContent);
  var css = getComputedStyle(document.documentElement);
  var line = (css.getPropertyValue("--blue-600") || "#1f5eff").trim();
  var muted = (css.getPropertyValue("--text-muted") || "#5d6779").trim();
  var grid = (css.getPropertyValue("--border") || "#e2e7f0").trim();

  var timeFormats = {
    day: { hour: "2-digit", minute: "2-digit" },
    week: { weekday: "short", day: "numeric" },
    month: { day: "numeric", month: "short" },
    quarter: { day: "numeric", month: "short" },
    semester: { month: "short", year: "2-digit" },
    year: { month: "short", year: "2-digit" }
  };
  function formatTime(ts, period) {
    return new Intl.DateTimeFormat(lang, timeFormats[period] || timeFormats.month).format(new Date(ts * 1000));
  }
  function points(list) {
    // Rates arrive as decimal strings; the chart only draws them (display, never arithmetic on money).
    return list.map(function (p) { return { x: p.createdAt, y: Number(p.rate), rate: p.rate }; });
  }
  function fill(context) {
    var area = context.chart.chartArea;
    if (!area) return "transparent";
    var gradient = context.chart.ctx.createLinearGradient(0, area.top, 0, area.bottom);
    gradient.addColorStop(0, "rgba(31, 94, 255, .22)");
    gradient.addColorStop(1, "rgba(31, 94, 255, 0)");
    return gradient;
  }

  var chart = new window.Chart(canvas, {
    type: "line",
    data: { datasets: [{ data: points(state.points), borderColor: line, backgroundColor: fill, fill: true,
      borderWidth: 2, pointRadius: 0, pointHoverRadius: 3, tension: 0.15 }] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { type: "linear", grid: { display: false },
          ticks: { color: muted, maxTicksLimit: 6, maxRotation: 0, callback: function (v) { return formatTime(v, state.period); } } },
        y: { grid: { color: grid }, ticks: { color: muted, callback: function (v) { return Number(v).toLocaleString(lang); } } }
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: {
          title: function (items) {
            return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(items[0].raw.x * 1000));
          },
          label: function (item) { return item.raw.rate + " EUR"; }
        } }
      }
    }
  });

  function bounds() {
    // The x axis spans the points, not the next round numbers around them.
    var list = state.points;
    chart.options.scales.x.min = list.length ? list[0].createdAt : undefined;
    chart.options.scales.x.max = list.length ? list[list.length - 1].createdAt : undefined;
  }
  function drawn() {
    canvas.setAttribute("data-asset", state.asset);
    canvas.setAttribute("data-period", state.period);
    canvas.setAttribute("data-points", String(state.points.length));
    empty.hidden = state.points.length > 0;
    canvas.parentNode.classList.toggle("chart-box--empty", state.points.length === 0);
  }
  bounds();
  chart.update();
  drawn();

  box.querySelectorAll(".periods__link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var period = link.getAttribute("data-period");
      var url = urlTemplate.replace("ASSET", encodeURIComponent(state.asset)).replace("PERIOD", period);
      box.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (body) {
          state = { asset: body.asset, period: body.period, points: body.points };
          chart.data.datasets[0].data = points(body.points);
          bounds();
          chart.update();
          box.querySelectorAll(".periods__link").forEach(function (other) {
            if (other === link) other.setAttribute("aria-current", "true"); else other.removeAttribute("aria-current");
          });
          var form = document.querySelector("[data-rate-asset-form] input[name=period]");
          if (form) form.value = period;
          history.replaceState(null, "", "?asset=" + encodeURIComponent(state.asset) + "&period=" + period);
          drawn();
        })
        .catch(function () { window.location.href = link.href; })
        .finally(function () { box.removeAttribute("aria-busy"); });
    });
  });
  var select = document.querySelector("[data-rate-asset-form] select");
  if (select) select.addEventListener("change", function () { select.form.submit(); });
})();
