/*
 * inferscope sweep report: draws the trade-off charts from the embedded JSON with the bundled uPlot.
 * Labels are untrusted: they reach the page only through uPlot's legend (textContent), never innerHTML.
 */
(function () {
  'use strict';
  var dataEl = document.getElementById('report-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var data = JSON.parse(dataEl.textContent);
  var style = getComputedStyle(document.documentElement);
  function cssVar(name, fallback) {
    var v = style.getPropertyValue(name).trim();
    return v || fallback;
  }
  var palette = ['--c0', '--c1', '--c2', '--c3', '--c4', '--c5'].map(function (n) { return cssVar(n, '#2563eb'); });
  var frontColor = cssVar('--fg', '#111827');
  var axisColor = cssVar('--fg-muted', '#5b6675');
  var gridColor = cssVar('--grid', 'rgba(60,70,90,0.12)');
  var charts = [];

  function axis(label) {
    return { label: label, stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
  }

  /** Series of one sweep share its colour; a sweep's second and third series are dashed and dotted. */
  function seriesStyle(s, nth) {
    if (s.sweep < 0) {
      return { label: s.label, stroke: frontColor, width: 2, dash: [6, 4], spanGaps: true, points: { show: true, size: 7, stroke: frontColor, fill: 'transparent' } };
    }
    var c = palette[s.sweep % palette.length];
    if (s.predicted) {
      return { label: s.label, stroke: c, width: 1.5, dash: [8, 3, 2, 3], spanGaps: true, points: { show: true, size: 6, stroke: c, fill: 'transparent' } };
    }
    var dash = nth === 0 ? undefined : nth === 1 ? [5, 4] : [2, 3];
    return { label: s.label, stroke: c, width: 1.75, dash: dash, spanGaps: true, points: { show: true, size: 5, stroke: c, fill: c } };
  }

  function drawXY(el, key) {
    var d = data.charts[key];
    if (!d || d.x.length === 0 || d.series.length === 0) {
      el.textContent = 'no completed steps with these figures' + (key === 'server_vs_load' ? ' (the server\'s /metrics were not scraped)' : '');
      return;
    }
    var perSweep = {};
    var series = [{ label: d.xLabel }];
    d.series.forEach(function (s) {
      var nth = perSweep[s.sweep] || 0;
      perSweep[s.sweep] = nth + 1;
      series.push(seriesStyle(s, nth));
    });
    var markers = d.markers || [];
    var opts = {
      width: Math.max(240, el.clientWidth || 600),
      height: 260,
      scales: { x: { time: false, distr: d.logX && d.x[0] > 0 ? 3 : 1 } },
      axes: [axis(d.xLabel), axis(d.yLabel)],
      series: series,
      hooks: {
        draw: [function (u) {
          // Capacity answers as labelled vertical lines.
          var ctx = u.ctx;
          markers.forEach(function (m) {
            var x = Math.round(u.valToPos(m.x, 'x', true));
            ctx.save();
            ctx.strokeStyle = palette[m.sweep % palette.length];
            ctx.setLineDash([3, 3]);
            ctx.lineWidth = 1.5;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          });
        }],
      },
    };
    el.textContent = '';
    var rows = [d.x].concat(d.series.map(function (s) { return s.y; }));
    charts.push({ chart: new uPlot(opts, rows, el), el: el });
    if (markers.length > 0) {
      var note = document.createElement('p');
      note.className = 'note';
      note.textContent = markers.map(function (m) { return m.label; }).join('; ');
      el.appendChild(note);
    }
  }

  var nodes = document.querySelectorAll('[data-chart="xy"]');
  for (var i = 0; i < nodes.length; i++) {
    try {
      drawXY(nodes[i], nodes[i].getAttribute('data-key'));
    } catch (err) {
      nodes[i].textContent = 'chart could not be drawn: ' + (err && err.message ? err.message : String(err));
    }
  }

  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) {
        c.chart.setSize({ width: Math.max(240, c.el.clientWidth), height: c.chart.height });
      });
    }, 150);
  });
  document.documentElement.setAttribute('data-charts-drawn', String(charts.length));
})();
