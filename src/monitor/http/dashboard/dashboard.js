/* The monitor's live dashboard: reads /api/targets, /api/series, /api/slos and /api/alerts on this server and
   redraws every few seconds. Every string from the API (names, messages) is set with textContent, never as markup. */
(function () {
  'use strict';
  var token = null;
  var m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m) {
    token = decodeURIComponent(m[1]);
    try { sessionStorage.setItem('inferscope-token', token); } catch (e) { /* private mode */ }
    history.replaceState(null, '', location.pathname + location.search);
  } else {
    try { token = sessionStorage.getItem('inferscope-token'); } catch (e) { token = null; }
  }
  var RANGES = { '15m': 9e5, '1h': 36e5, '6h': 216e5, '24h': 864e5, '7d': 6048e5 };
  var range = '1h';
  var view = { target: null, probe: null };
  var charts = [];
  var updates = 0;
  var palette = ['#175cd3', '#12805c', '#b54708', '#c0362c', '#6941c6'];

  function api(path) {
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return r.json();
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function ms(v) { return v === null || v === undefined ? '-' : v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(v >= 100 ? 0 : 1) + ' ms'; }
  function pct(v) { return v === null || v === undefined ? '-' : (v * 100).toFixed(2) + '%'; }
  function ago(t) {
    if (!t) return 'never';
    var s = Math.max(0, (Date.now() - t) / 1000);
    return s < 60 ? s.toFixed(0) + ' s ago' : s < 3600 ? (s / 60).toFixed(0) + ' min ago' : (s / 3600).toFixed(1) + ' h ago';
  }
  function destroyCharts() { charts.forEach(function (c) { c.destroy(); }); charts = []; }
  function chart(host, series, rows, opts) {
    opts = opts || {};
    var u = new uPlot({
      width: opts.width || Math.max(300, host.clientWidth - 4),
      height: opts.height || 200,
      legend: { show: !opts.spark },
      cursor: { show: !opts.spark },
      axes: opts.spark ? [{ show: false }, { show: false }] : [{}, { label: opts.yLabel || '' }],
      scales: { x: opts.xRange ? { time: true, range: function () { return opts.xRange; } } : { time: true } },
      series: [{}].concat(series.map(function (s, i) {
        // Sparse data (a young monitor, a long range) is drawn as points too, or a lone value would not show.
        var n = 0;
        (rows[i + 1] || []).forEach(function (v) { if (v !== null && v !== undefined) n++; });
        if (!s.points && n < 40) s.points = { show: true, size: 4 };
        return s;
      })),
    }, rows, host);
    charts.push(u);
    return u;
  }
  function seriesLine(label, i, extra) {
    var c = palette[i % palette.length];
    var s = { label: label, stroke: c, width: 1.5, spanGaps: true };
    for (var k in extra || {}) s[k] = extra[k];
    return s;
  }
  function q(points, metric, key) {
    return points.map(function (p) { return p[metric] ? p[metric][key] : null; });
  }

  function overview(root) {
    return Promise.all([api('/api/targets'), api('/api/slos'), api('/api/locations')]).then(function (res) {
      var targets = res[0];
      var slos = res[1];
      var shared = res[2];
      var table = el('table');
      var head = el('tr');
      var heads = ['target', 'probe', 'last probe', 'TTFT', 'TPOT', 'E2E', 'tokens/s', 'SLO met', 'budget left'];
      if (shared.shared) heads.push('locations');
      heads.forEach(function (h) { head.appendChild(el('th', null, h)); });
      table.appendChild(head);
      var jobs = [];
      targets.forEach(function (t) {
        t.probes.forEach(function (p) {
          var tr = el('tr', 'target');
          tr.dataset.target = t.name;
          tr.dataset.probe = p.probe;
          var name = el('td');
          name.appendChild(el('span', 'dot ' + (p.last ? (p.last.ok ? 'ok' : 'bad') : '')));
          name.appendChild(document.createTextNode(t.name));
          tr.appendChild(name);
          tr.appendChild(el('td', null, p.probe));
          tr.appendChild(el('td', null, p.last ? ago(p.last.wallMs) + (p.last.ok ? '' : ' (' + (p.last.errorClass || 'failed') + ')') : 'never'));
          var cells = ['ttft', 'tpot', 'e2e', 'tps'].map(function () { var td = el('td'); var d = el('div', 'spark'); td.appendChild(d); tr.appendChild(td); return d; });
          var slo = slos.filter(function (s) { return s.target === t.name && s.probe === p.probe; })[0];
          tr.appendChild(el('td', 'num', slo ? pct(slo.attainment) : '-'));
          tr.appendChild(el('td', 'num', slo ? pct(slo.error_budget_remaining) : '-'));
          if (shared.shared) {
            // Every location's last probe of this target, from the shared store.
            var locs = el('td', 'locations');
            shared.locations.filter(function (l) { return l.target === t.name && l.probe === p.probe; }).forEach(function (l) {
              var tag = el('span', 'loc');
              tag.appendChild(el('span', 'dot ' + (l.last && l.last.ok ? 'ok' : 'bad')));
              tag.appendChild(document.createTextNode(l.location));
              tag.title = l.location + ': ' + (l.last ? (l.last.ok ? 'ok' : (l.last.errorClass || 'failed')) + ', ' + ago(l.last.wallMs) : 'no probe');
              locs.appendChild(tag);
            });
            tr.appendChild(locs);
          }
          tr.addEventListener('click', function () { location.hash = 'target=' + encodeURIComponent(t.name) + '&probe=' + encodeURIComponent(p.probe); });
          table.appendChild(tr);
          jobs.push(function () {
            // The last 60 probes, one point each: readable from the first probe on.
            return api('/api/probes?target=' + encodeURIComponent(t.name) + '&probe=' + encodeURIComponent(p.probe) + '&limit=60').then(function (rows) {
              rows.reverse();
              var x = rows.map(function (r) { return r.wallMs / 1000; });
              var pick = function (k) { return rows.map(function (r) { return r.ok ? r[k] : null; }); };
              var tps = rows.map(function (r) { return r.ok && r.tpotMs > 0 ? 1000 / r.tpotMs : null; });
              var last = function (ys) { for (var i = ys.length - 1; i >= 0; i--) if (ys[i] !== null) return ys[i]; return null; };
              var spark = { spark: true, width: 120, height: 32 };
              var dots = { points: { show: true, size: 3 } };
              [['TTFT', pick('ttftMs'), ms], ['TPOT', pick('tpotMs'), ms], ['E2E', pick('e2eMs'), ms], ['tok/s', tps, function (v) { return v === null ? '-' : v.toFixed(0); }]].forEach(function (c, i) {
                cells[i].parentNode.insertBefore(el('div', 'value', c[2](last(c[1]))), cells[i]);
                chart(cells[i], [seriesLine(c[0], i, dots)], [x, c[1]], spark);
              });
            });
          });
        });
      });
      root.appendChild(table);
      return Promise.all(jobs.map(function (j) { return j(); }));
    });
  }

  function targetPage(root) {
    var back = el('a', null, '\u2190 all targets');
    back.href = '#';
    root.appendChild(back);
    root.appendChild(el('h2', null, view.target + ' / ' + view.probe));
    var bar = el('div', 'toolbar');
    Object.keys(RANGES).forEach(function (r) {
      var b = el('button', r === range ? 'on' : '', r);
      b.addEventListener('click', function () { range = r; render(); });
      bar.appendChild(b);
    });
    root.appendChild(bar);
    var grid = el('div', 'grid');
    root.appendChild(grid);
    function box(title) {
      var f = el('figure');
      f.appendChild(el('figcaption', null, title));
      var c = el('div', 'chart');
      f.appendChild(c);
      grid.appendChild(f);
      return c;
    }
    var boxes = { ttft: box('TTFT p50 / p90 / p99'), tpot: box('TPOT p50 / p90 / p99'), e2e: box('E2E p50 / p90 / p99'), errors: box('Probes and failed probes per step'), load: box('Server: running and waiting requests'), kv: box('Server: KV cache usage'), tokens: box('Server: tokens/s, all its traffic') };
    var alertsBox = el('section');
    alertsBox.appendChild(el('h3', null, 'Alerts'));
    root.appendChild(alertsBox);
    var until = Date.now();
    var since = until - RANGES[range];
    var step = Math.max(1000, Math.ceil((until - since) / 240));
    return Promise.all([
      api('/api/series?target=' + encodeURIComponent(view.target) + '&probe=' + encodeURIComponent(view.probe) + '&since=' + Math.round(since) + '&until=' + until + '&step=' + step),
      api('/api/alerts'),
    ]).then(function (res) {
      var s = res[0];
      // Hourly rollups (older than the retention) come first, then the raw steps.
      if (s.rollups && s.rollups.length) {
        var firstRaw = s.points.filter(function (p) { return p.probes > 0; })[0];
        s.points = s.rollups.filter(function (r) { return !firstRaw || r.t < firstRaw.t; }).concat(s.points);
      }
      var x = s.points.map(function (p) { return p.t / 1000; });
      var span = { xRange: [since / 1000, until / 1000] };
      ['ttft', 'tpot', 'e2e'].forEach(function (m) {
        chart(boxes[m], [seriesLine('p50', 0), seriesLine('p90', 1, { dash: [4, 3] }), seriesLine('p99', 3, { dash: [2, 3] })], [x, q(s.points, m, 'p50'), q(s.points, m, 'p90'), q(s.points, m, 'p99')], { yLabel: 'ms', xRange: span.xRange });
      });
      chart(boxes.errors, [seriesLine('failed', 3, { paths: uPlot.paths.bars({ size: [0.8, 40] }) }), seriesLine('probes', 0)], [x, s.points.map(function (p) { return p.errors; }), s.points.map(function (p) { return p.probes; })], { yLabel: 'probes', xRange: span.xRange });
      var sx = s.server.map(function (r) { return r.wallMs / 1000; });
      var concept = function (k) { return s.server.map(function (r) { return r.concepts[k] === undefined ? null : r.concepts[k]; }); };
      var some = function (ys) { return ys.some(function (v) { return v !== null; }); };
      // A counter's increase per second between consecutive scrapes; none across a reset or a failed scrape.
      var rate = function (ys) {
        return ys.map(function (b, i) {
          var a = i > 0 ? ys[i - 1] : null;
          var dt = i > 0 ? sx[i] - sx[i - 1] : 0;
          return a !== null && b !== null && b >= a && dt > 0 ? (b - a) / dt : null;
        });
      };
      if (sx.length) {
        chart(boxes.load, [seriesLine('running', 0), seriesLine('waiting', 2)], [sx, concept('requests_running'), concept('requests_waiting')], span);
        var kv = concept('kv_cache_usage').map(function (v) { return v === null ? null : v * 100; });
        if (some(kv)) chart(boxes.kv, [seriesLine('KV cache', 4)], [sx, kv], { yLabel: '%', xRange: span.xRange });
        else boxes.kv.textContent = 'the server\u2019s /metrics has no KV-cache usage (llama.cpp, for one, does not export it)';
        // Every request the server answered, not only the probes: vLLM, SGLang, TGI count all prompt tokens, llama.cpp those it computed.
        var prompt = concept('prompt_tokens_total');
        if (!some(prompt)) prompt = concept('prompt_tokens_computed_total');
        var generated = rate(concept('generation_tokens_total'));
        prompt = rate(prompt);
        if (some(generated) || some(prompt)) chart(boxes.tokens, [seriesLine('generated', 1), seriesLine('prompt', 0, { dash: [4, 3] })], [sx, generated, prompt], { yLabel: 'tok/s', xRange: span.xRange });
        else boxes.tokens.textContent = 'the server\u2019s /metrics has no token counters, or fewer than two scrapes in this range';
      } else {
        ['load', 'kv', 'tokens'].forEach(function (k) { boxes[k].textContent = 'no scrapes of the server\u2019s /metrics in this range'; });
      }
      var a = res[1];
      var mine = function (r) { return r.detail.target === view.target; };
      var shown = a.firing.filter(mine).concat(a.history.filter(mine).filter(function (r) { return r.state === 'resolved'; }).slice(0, 20));
      if (!shown.length) alertsBox.appendChild(el('p', 'muted', 'no alerts'));
      shown.forEach(function (r) {
        alertsBox.appendChild(el('div', 'alert ' + r.state, r.state + ' since ' + new Date(r.since_ms).toISOString() + ': ' + r.detail.summary));
      });
    });
  }

  function render() {
    var hash = location.hash.replace(/^#/, '');
    var params = {};
    hash.split('&').forEach(function (kv) { var p = kv.split('='); if (p[0]) params[p[0]] = decodeURIComponent(p[1] || ''); });
    view.target = params.target || null;
    view.probe = params.probe || null;
    var root = document.getElementById('root');
    destroyCharts();
    root.textContent = '';
    var work = view.target ? targetPage(root) : overview(root);
    return work.then(function () {
      updates++;
      document.documentElement.setAttribute('data-updates', String(updates));
      document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    }, function (err) {
      root.appendChild(el('p', 'alert', String(err && err.message ? err.message : err)));
    });
  }

  window.addEventListener('hashchange', render);
  render();
  setInterval(render, Number(document.documentElement.getAttribute('data-refresh-ms')) || 5000);
})();
