/*
 * inferscope HTML report: draws the charts from the embedded JSON with the bundled uPlot.
 * Every string in the data (labels, series names) is untrusted: it reaches the page only through
 * textContent (uPlot's legend uses textContent too), never innerHTML, and is never executed.
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
  var failColor = cssVar('--c-fail', '#dc2626');
  var axisColor = cssVar('--fg-muted', '#5b6675');
  var gridColor = cssVar('--grid', 'rgba(60,70,90,0.12)');
  var charts = [];

  function color(i) { return palette[i % palette.length]; }
  function alpha(hex, a) {
    var m = /^#([0-9a-f]{6})$/i.exec(hex);
    if (!m) return hex;
    var n = parseInt(m[1], 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function axis(label) {
    return { label: label, stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
  }
  function line(label, c, extra) {
    var s = { label: label, stroke: c, width: 1.5, spanGaps: true, points: { show: false } };
    for (var k in extra) s[k] = extra[k];
    return s;
  }
  function dots(label, c) {
    return { label: label, stroke: c, fill: c, paths: function () { return null; }, points: { show: true, size: 3.5, space: 0, stroke: c, fill: alpha(c, 0.55), width: 0 } };
  }
  function draw(el, opts, rows) {
    opts.width = Math.max(200, el.clientWidth || 600);
    opts.height = opts.height || 220;
    opts.scales = opts.scales || {};
    if (!opts.scales.x) opts.scales.x = { time: false };
    opts.cursor = opts.cursor || { drag: { x: true, y: false } };
    // One series needs no legend; several get one (labels set by uPlot with textContent).
    if (opts.series.length <= 2) opts.legend = { show: false };
    el.textContent = '';
    charts.push({ chart: new uPlot(opts, rows, el), el: el });
  }
  function run(i) { return data.runs[Number(i)]; }
  /** A dashed vertical line at the SLO limit, labelled, when the run had one for this metric. */
  function sloHook(limit) {
    return function (u) {
      if (typeof limit !== 'number') return;
      var x = Math.round(u.valToPos(limit, 'x', true));
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = failColor;
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.fillStyle = failColor;
      ctx.fillText('SLO ' + limit + ' ms', x + 4, u.bbox.top + 12);
      ctx.restore();
    };
  }

  var drawers = {
    hist: function (el, r, key) {
      var d = run(r).distributions[key];
      if (!d) return;
      var c = color(Number(r));
      draw(el, {
        axes: [axis('ms'), axis(key === 'itl' ? 'gaps' : 'requests')],
        series: [{ label: 'ms' }, { label: 'samples', stroke: c, fill: alpha(c, 0.45), width: 1, paths: uPlot.paths.bars({ size: [1, Infinity], align: 1 }), points: { show: false } }],
        // Counts start at zero, so bar heights compare.
        scales: { x: { time: false, range: function (u, min, max) { return [min, max + d.hist.width]; } }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
        hooks: { draw: [sloHook(run(r).slo && run(r).slo[key])] },
      }, [d.hist.x, d.hist.counts]);
    },
    cdf: function (el, r, key, log) {
      var d = run(r).distributions[key];
      if (!d) return;
      var xs = d.cdf.x;
      var ys = d.cdf.y;
      if (log) {
        // A log axis has no place for gaps of 0 ms (chunks read together): they are left out of the curve.
        var keep = [];
        for (var j = 0; j < xs.length; j++) if (xs[j] > 0) keep.push(j);
        xs = keep.map(function (j) { return d.cdf.x[j]; });
        ys = keep.map(function (j) { return d.cdf.y[j]; });
      }
      draw(el, {
        axes: [axis(log ? 'ms (log)' : 'ms'), axis('fraction of samples')],
        series: [{ label: 'ms' }, line('fraction <= x', color(Number(r)), { paths: uPlot.paths.stepped({ align: 1 }) })],
        scales: { x: log ? { time: false, distr: 3, log: 10 } : { time: false }, y: { range: [0, 1] } },
        hooks: { draw: [sloHook(run(r).slo && run(r).slo[key])] },
      }, [xs, ys]);
    },
    scatter: function (el, r) {
      var d = run(r).scatter;
      if (!d) return;
      draw(el, {
        height: 280,
        axes: [axis('send time (s)'), axis('ms')],
        series: [{ label: 's' }, dots('E2E', color(1)), dots('TTFT', color(0)), dots('failed: time to close', failColor)],
      }, [d.x, d.e2e, d.ttft, d.failed]);
    },
    throughput: function (el, r) {
      var d = run(r).throughput;
      if (!d) return;
      var c = color(2);
      draw(el, {
        axes: [axis('time (s)'), axis('output tokens/s')],
        series: [{ label: 's' }, line('output tokens/s', c, { fill: alpha(c, 0.18), paths: uPlot.paths.stepped({ align: 1 }) })],
      }, [d.x, d.y]);
    },
    concurrency: function (el, r) {
      var d = run(r).concurrency;
      if (!d) return;
      draw(el, {
        axes: [axis('time (s)'), axis('requests in flight')],
        series: [{ label: 's' }, line('max', color(3), { paths: uPlot.paths.stepped({ align: 1 }), width: 1 }), line('mean', color(0), { paths: uPlot.paths.stepped({ align: 1 }) })],
      }, [d.x, d.max, d.mean]);
    },
    roofline: function (el, r) {
      var d = run(r).roofline;
      if (!d) return;
      var series = [{ label: 'FLOP/byte' }, line('roof: min(compute, bandwidth x intensity)', color(4), { width: 2 })];
      var rows = [d.x, d.roof];
      d.points.forEach(function (p, k) {
        var c = color(k === 0 ? 0 : 1);
        series.push({ label: p.label, stroke: c, width: 0, paths: function () { return null; }, points: { show: true, size: 11, stroke: c, fill: c } });
        rows.push(p.y);
      });
      draw(el, {
        height: 300,
        axes: [axis('arithmetic intensity (FLOP/byte, log)'), axis('TFLOP/s (log)')],
        series: series,
        scales: { x: { time: false, distr: 3, log: 10 }, y: { distr: 3, log: 10 } },
      }, rows);
    },
    server: function (el, r, key) {
      var d = run(r).server[Number(key)];
      if (!d) return;
      draw(el, {
        height: 180,
        axes: [axis('time (s)'), axis('')],
        series: [{ label: 's' }, line(d.name, color(4), { paths: uPlot.paths.stepped({ align: 1 }) })],
      }, [d.x, d.y]);
    },
    'overlay-cdf': function (el, _r, key) {
      var d = data.overlay && data.overlay.cdf[key];
      if (!d) return;
      var series = [{ label: 'ms' }];
      data.labels.forEach(function (label, i) { series.push(line(label, color(i))); });
      draw(el, { axes: [axis('ms'), axis('fraction of samples')], series: series, scales: { x: { time: false }, y: { range: [0, 1] } } }, [d.x].concat(d.ys));
    },
    'overlay-throughput': function (el) {
      var d = data.overlay && data.overlay.throughput;
      if (!d) return;
      var series = [{ label: 's' }];
      data.labels.forEach(function (label, i) { series.push(line(label, color(i), { paths: uPlot.paths.stepped({ align: 1 }) })); });
      draw(el, { axes: [axis('time (s)'), axis('output tokens/s')], series: series }, [d.x].concat(d.ys));
    },
  };

  var nodes = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < nodes.length; i++) {
    var el = nodes[i];
    var fn = drawers[el.getAttribute('data-chart')];
    if (!fn) continue;
    try {
      fn(el, el.getAttribute('data-run'), el.getAttribute('data-key'));
    } catch (err) {
      el.textContent = 'chart could not be drawn: ' + (err && err.message ? err.message : String(err));
    }
  }

  // "log axis" beside a CDF: redraw that chart on a logarithmic x axis, and back.
  var toggles = document.querySelectorAll('input.log-axis');
  for (var t = 0; t < toggles.length; t++) {
    toggles[t].addEventListener('change', function (ev) {
      var box = ev.target.closest('figure');
      var el = box && box.querySelector('[data-chart]');
      if (!el) return;
      charts = charts.filter(function (c) {
        if (c.el !== el) return true;
        c.chart.destroy();
        return false;
      });
      drawers[el.getAttribute('data-chart')](el, el.getAttribute('data-run'), el.getAttribute('data-key'), ev.target.checked);
      el.setAttribute('data-log', String(ev.target.checked));
    });
  }

  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) {
        c.chart.setSize({ width: Math.max(200, c.el.clientWidth), height: c.chart.height });
      });
    }, 150);
  });
  document.documentElement.setAttribute('data-charts-drawn', String(charts.length));
})();
