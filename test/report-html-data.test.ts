import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRecord } from './support/record-builder.js';
import { summarize } from '../src/stats/summary.js';
import { buildResults } from '../src/results/results-document.js';
import { escapeHtml, jsonForScript } from '../src/report/html/escape.js';
import { distributionData } from '../src/report/html/distribution-chart.js';
import { scatterData } from '../src/report/html/scatter.js';
import { concurrencySeries, throughputSeries } from '../src/report/html/time-series.js';
import { serverSeries } from '../src/report/html/server-series.js';
import { overlay, pageData, runCharts } from '../src/report/html/chart-data.js';
import { measuredRecords } from '../src/report/html/samples.js';
import { loadRuns as loadReportRuns, RunLoadError as ReportInputError } from '../src/results/load-run.js';
import { reportCsv, REPORT_CSV_COLUMNS } from '../src/report/html/request-rows-csv.js';
import { renderHtmlReport } from '../src/report/html/render-html.js';
import { syntheticRun } from './support/synthetic-run.js';
import type { RequestRecord } from '../src/measure/record.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function resultsOf(records: RequestRecord[]) {
  return buildResults({
    id: 'r1',
    startedAt: '2026-01-01T00:00:00Z',
    endedAt: '2026-01-01T00:01:00Z',
    config: { concurrency: 2 },
    target: { url: 'http://127.0.0.1:1/v1', model: 'm', api: 'chat' },
    summary: summarize(records),
  });
}

test('escapeHtml and jsonForScript neutralize markup and line separators', () => {
  assert.equal(escapeHtml(`<img src=x onerror="a('b')">&`), '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  const json = jsonForScript({ s: '</script><!-- \u2028\u2029 &' });
  assert.ok(!json.includes('<') && !json.includes('>') && !json.includes('\u2028') && !json.includes('\u2029'));
  assert.deepEqual(JSON.parse(json), { s: '</script><!-- \u2028\u2029 &' });
});

test('histogram counts every sample exactly; CDF ends at 1', () => {
  const samples = Float64Array.from({ length: 1000 }, (_, i) => 10 + (i % 100));
  const d = distributionData(samples)!;
  assert.equal(d.count, 1000);
  assert.equal(d.hist.counts.reduce((a, b) => a + b, 0) + d.hist.overflow, 1000);
  assert.equal(d.hist.overflow, 0);
  assert.equal(d.cdf.y[d.cdf.y.length - 1], 1);
  assert.equal(d.cdf.x[0], 10);
  assert.equal(d.cdf.x[d.cdf.x.length - 1], 109);
  // Non-decreasing in both coordinates.
  for (let i = 1; i < d.cdf.x.length; i++) assert.ok(d.cdf.x[i]! > d.cdf.x[i - 1]! && d.cdf.y[i]! >= d.cdf.y[i - 1]!);
  assert.equal(distributionData(new Float64Array(0)), null);
  assert.equal(distributionData(Float64Array.of(NaN, Infinity)), null);
});

test('a sparse far tail goes to overflow, not into the bins', () => {
  const samples = Float64Array.from({ length: 10_000 }, (_, i) => (i < 9990 ? 20 + (i % 10) : 5000));
  const d = distributionData(samples)!;
  assert.equal(d.hist.overflow, 10);
  assert.equal(d.hist.counts.reduce((a, b) => a + b, 0), 9990);
  // Large sets: the CDF is thinned to a fixed rank grid but still reaches the max.
  const big = distributionData(Float64Array.from({ length: 200_000 }, (_, i) => i))!;
  assert.ok(big.cdf.x.length < 1500);
  assert.equal(big.cdf.x[big.cdf.x.length - 1], 199_999);
});

test('scatter keeps every request of small runs and thins big ones deterministically, keeping the slowest', () => {
  const records = Array.from({ length: 20_000 }, (_, i) =>
    makeRecord({ index: i, t_send: i * 10, chunks: [i * 10 + (i === 12_345 ? 9000 : 50), i * 10 + 9100] }),
  );
  const small = scatterData(records.slice(0, 100), 0)!;
  assert.equal(small.x.length, 100);
  const a = scatterData(records, 0)!;
  const b = scatterData(records, 0)!;
  assert.deepEqual(a, b);
  assert.ok(a.x.length <= 5000 && a.x.length > 4000, String(a.x.length));
  assert.equal(a.total, 20_000);
  assert.ok(a.ttft.includes(9000), 'the slowest TTFT is kept');
  for (let i = 1; i < a.x.length; i++) assert.ok(a.x[i]! >= a.x[i - 1]!);
});

test('throughput peak and concurrency agree with the summary', () => {
  const records = Array.from({ length: 40 }, (_, i) =>
    makeRecord({ index: i, t_send: i * 250, chunks: [i * 250 + 100, i * 250 + 300, i * 250 + 700], output_tokens: 6 }),
  );
  const summary = summarize(records);
  const t = throughputSeries(records, summary.window.start_ms)!;
  assert.equal(Math.max(...t.y), summary.throughput.peak_output_tokens_per_s);
  assert.equal(t.y.reduce((a, b) => a + b, 0), summary.tokens.output.total);
  const c = concurrencySeries(records, summary.window.start_ms)!;
  assert.equal(Math.max(...c.max), summary.throughput.concurrency.max);
  const mean = c.mean.reduce((a, b) => a + b, 0) * c.bucket_s / summary.window_s;
  assert.ok(Math.abs(mean - summary.throughput.concurrency.mean!) < 0.01, `${mean} vs ${summary.throughput.concurrency.mean}`);
  assert.equal(throughputSeries([], 0), null);
  assert.equal(concurrencySeries([], 0), null);
});

test('warm-up and out-of-window requests are left out like the summary does', () => {
  const records = [
    makeRecord({ index: 0, warmup: true, t_send: 0, chunks: [10] }),
    makeRecord({ index: 1, t_send: 100, chunks: [150] }),
    makeRecord({ index: 2, t_send: 5000, chunks: [5100] }),
  ];
  const explicit = buildResults({
    id: 'w', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:10Z', config: {},
    target: { url: 'u', model: 'm', api: 'chat' }, summary: summarize(records, { window: { start: 50, end: 1000 } }),
  });
  const m = measuredRecords(records, explicit);
  assert.deepEqual(m.records.map((r) => r.index), [1]);
  assert.equal(m.originMs, 50);
  const charts = runCharts({ label: 'w', results: explicit, records });
  assert.equal(charts.requests, 1);
  assert.equal(charts.distributions.ttft!.count, explicit.summary.ttft_ms.count);
});

test('server series are read generically and bad points skipped', () => {
  const series = serverSeries(
    { series: { b_kv_cache: [[1000, 0.5], [2000, 0.7]], a_running: [[0, 1], ['x', 2], [500, null], [1500, 3]], junk: 'no', empty: [] } },
    1000,
  );
  assert.deepEqual(series.map((s) => s.name), ['a_running (requests)', 'b_kv_cache (%)']);
  assert.deepEqual(series[0], { name: 'a_running (requests)', x: [-1, 0.5], y: [1, 3] });
  assert.deepEqual(series[1]!.y, [50, 70], 'KV-cache shares drawn in percent');
  assert.deepEqual(serverSeries(undefined, 0), []);
  assert.deepEqual(serverSeries({ series: [1, 2] }, 0), []);
});

test('overlay merges runs onto one x axis with gaps as null', () => {
  assert.deepEqual(overlay([{ x: [1, 3], y: [0.5, 1] }, null, { x: [2, 3], y: [0.2, 1] }]), {
    x: [1, 2, 3],
    ys: [[0.5, null, 1], [null, null, null], [null, 0.2, 1]],
  });
  assert.equal(overlay([null]), null);
  const two = pageData([syntheticRun({ requests: 200, seed: 1 }), syntheticRun({ requests: 200, seed: 2 })]);
  assert.ok(two.overlay?.cdf.ttft && two.overlay.cdf.ttft.ys.length === 2);
  assert.equal(pageData([syntheticRun({ requests: 50 })]).overlay, undefined);
});

test('renderHtmlReport is deterministic, escapes untrusted text and states a strict CSP', () => {
  const evil = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';
  const run = syntheticRun({ requests: 300, untrustedText: evil, label: evil });
  const html = renderHtmlReport([run]);
  assert.equal(html, renderHtmlReport([run]));
  assert.ok(!html.includes('<script>window.__pwned'), 'raw script tag from data');
  assert.ok(!html.includes('<img src=x'), 'raw img tag from data');
  assert.ok(html.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[^']+' 'sha256-[^']+'/);
  assert.match(csp, /connect-src 'none'/);
  assert.ok(!/https?:\/\//.test(html.replace(/http:\/\/127\.0\.0\.1:8000\/v1/g, '').replace(/\/\*! https:\/\/github\.com\/leeoniya\/uPlot[^*]*\*\//, '')));
  assert.throws(() => renderHtmlReport([]), /no runs/);
});

test('renderHtmlReport survives a results document with missing sections', () => {
  const bare = { schema_version: 1, run: { id: 'x' }, summary: {} } as never;
  const html = renderHtmlReport([{ label: 'bare', results: bare, records: [] }]);
  assert.match(html, /no samples/);
});

test('the compare table is rendered when given (table or text)', () => {
  const runs = [syntheticRun({ requests: 100, seed: 1, label: 'A' }), syntheticRun({ requests: 100, seed: 2, label: 'B' })];
  const html = renderHtmlReport(runs, {
    compare: { headers: ['metric', 'A', 'B', 'delta'], rows: [['ttft.p50', 10, 12, '+20% <b>']], tones: ['worse'], deltaColumns: [3] },
  });
  assert.match(html, /<tr class="worse"><td>ttft.p50<\/td><td class="num">10<\/td><td class="num">12<\/td><td class="delta">\+20% &lt;b&gt;<\/td><\/tr>/);
  assert.match(renderHtmlReport(runs, { compare: 'A vs B\n<x>' }), /<pre class="compare">A vs B\n&lt;x&gt;<\/pre>/);
});

test('runs load from a --out directory or results.json path; bad lines name file and line', async (t) => {
  const dir = tempDir(t);
  const records = [makeRecord({ index: 0, t_send: 0, chunks: [20, 40] }), makeRecord({ index: 1, t_send: 10, chunks: [35] })];
  const runDir = join(dir, 'baseline');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(resultsOf(records)));
  writeFileSync(join(runDir, 'requests.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const [a, b] = await loadReportRuns([runDir, join(runDir, 'results.json')]);
  assert.equal(a!.label, 'baseline');
  assert.equal(b!.label, 'baseline (2)');
  assert.equal(a!.records!.length, 2);
  writeFileSync(join(runDir, 'requests.jsonl'), `${JSON.stringify(records[0])}\n{"t_send": 1}\n`);
  await assert.rejects(loadReportRuns([runDir]), (err: Error) => err instanceof ReportInputError && /requests\.jsonl:2: not a request record/.test(err.message));
  await assert.rejects(loadReportRuns([join(dir, 'nope')]), /no such file or directory/);
  writeFileSync(join(runDir, 'results.json'), '{"schema_version": 99}');
  await assert.rejects(loadReportRuns([runDir]), /schema_version 99 is not supported/);
});

test('CSV has one row per request with the run label and derived latencies', () => {
  const records = [
    makeRecord({ index: 0, t_send: 0, chunks: [20, 40, 60] }),
    makeRecord({ index: 1, t_send: 0, ok: false, chunks: [], error: { class: 'http_5xx', message: 'a, "b"' } }),
  ];
  const lines = reportCsv([{ label: 'run,1', records }]).trimEnd().split('\n');
  assert.equal(lines[0], REPORT_CSV_COLUMNS.join(','));
  assert.equal(lines.length, 3);
  assert.ok(lines[1]!.startsWith('"run,1",0,false,true,'));
  assert.ok(lines[1]!.endsWith(',0,20,20,60,3,'), lines[1]);
  assert.ok(lines[2]!.endsWith(',0,,,,0,"a, ""b"""'), lines[2]);
});
