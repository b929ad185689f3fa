/**
 * The sweep report in real headless Chromium: two real sweeps against the timing server overlaid, opened from
 * file://, no console errors, no network, every chart drawn, the frontier and the capacity answer shown, an
 * untrusted label shown as text and never run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { runSweep } from '../src/sweep/run-sweep.js';
import { writeSweepReport } from '../src/report/html/render-sweep.js';
import { sweepPageData } from '../src/report/html/sweep-chart-data.js';
import type { SweepDocument } from '../src/sweep/sweep-document.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;

let dir: string;
let context: BrowserContext;
let fast: SweepDocument;
let slow: SweepDocument;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inferscope-sweep-report-'));
  const server = await startTimingServer({ slots: 4, behavior: { ttftMs: 8, itlMs: 3, outputTokens: 8 }, recordBodies: false });
  try {
    const sweep = (outDir: string) =>
      runSweep({
        benchmark: { url: server.url, model: 'test-model', requests: 16, outputTokens: '8', scrape: false, probe: false, slo: 'ttft=40ms' },
        axis: { kind: 'concurrency', values: [1, 2, 4, 8] },
        outDir: join(dir, outDir),
      });
    fast = await sweep('fast');
    server.setBehavior({ ttftMs: 16, itlMs: 6, outputTokens: 8 });
    slow = await sweep('slow');
  } finally {
    await server.close();
  }
  if (skip) return;
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('chart data: sweeps share one ascending x axis; the frontier is the exact non-dominated set of all steps', () => {
  const data = sweepPageData([{ label: 'fast', sweep: fast }, { label: 'slow', sweep: slow }]);
  const chart = data.charts.latency_vs_throughput!;
  assert.ok(chart.x.every((x, i) => i === 0 || x > chart.x[i - 1]!));
  const front = chart.series.find((s) => s.sweep === -1)!;
  const points = [fast, slow].flatMap((d) =>
    d.steps.filter((s) => s.status === 'completed').map((s) => ({ x: s.summary.throughput.output_tokens_per_s!, y: s.summary.e2e_ms.p99! })),
  );
  const onFront = chart.x.map((x, i) => ({ x, y: front.y[i] })).filter((p) => p.y !== null);
  for (const p of onFront) assert.ok(!points.some((q) => q.x >= p.x && q.y! <= p.y! && (q.x > p.x || q.y! < p.y!)), `frontier point ${JSON.stringify(p)} is dominated`);
  for (const q of points) {
    const dominated = points.some((r) => r.x >= q.x && r.y <= q.y && (r.x > q.x || r.y < q.y));
    if (!dominated) assert.ok(onFront.some((p) => p.x === q.x && p.y === q.y), `non-dominated ${JSON.stringify(q)} missing from the frontier`);
  }
});

test('two sweeps overlay in Chromium: every chart drawn, legends name both, offline, untrusted label inert', { skip, timeout: 90_000 }, async () => {
  const file = join(dir, 'sweeps.html');
  writeSweepReport([{ label: 'fast engine', sweep: fast }, { label: EVIL, sweep: slow }], file);
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.hasAttribute('data-charts-drawn'), null, { timeout: 20_000 });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [url]);
  // Six charts; the server's needs its /metrics, which the timing server does not have.
  assert.equal(await page.evaluate(() => document.documentElement.getAttribute('data-charts-drawn')), '5');
  assert.match(await page.locator('[data-key="server_vs_load"]').innerText(), /were not scraped/);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await page.locator('img').count(), 0);
  const legend = await page.locator('.u-legend').first().innerText();
  assert.ok(legend.includes('fast engine') && legend.includes(EVIL) && legend.includes('Pareto frontier'), legend);
  const text = await page.locator('body').innerText();
  assert.ok(text.includes('frontier') && text.includes(fast.id) && text.includes(slow.id));
  await page.close();
});

test('report renders stored and on-disk sweeps through the CLI; runs and sweeps do not mix', async () => {
  const out = join(dir, 'cli.html');
  const r = await runCli(['report', join(dir, 'fast'), join(dir, 'slow', 'sweep.json'), '--html', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /2 sweeps/);
  const mixed = await runCli(['report', join(dir, 'fast'), join(dir, 'fast', 'step-0'), '--html', out]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /not a sweep/);
});

test('pareto across two sweeps and a run: the frontier is exactly the non-dominated points', async () => {
  const r = await runCli(['pareto', join(dir, 'fast'), join(dir, 'slow'), join(dir, 'slow', 'step-0'), '--y', 'e2e-p99', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { points: Array<{ x: number; y: number; on_frontier: boolean; label: string }>; frontier: number[] };
  // Every completed step (a step whose client could not resolve its timings is left out) and the run.
  const completed = [fast, slow].flatMap((d) => d.steps).filter((s) => s.status === 'completed').length;
  assert.equal(report.points.length, completed + 1);
  report.points.forEach((p, i) => {
    const dominated = report.points.some((q, j) => j !== i && q.x >= p.x && q.y <= p.y && (q.x > p.x || q.y < p.y));
    assert.equal(p.on_frontier, !dominated, `${p.label}: on_frontier ${p.on_frontier}, dominated ${dominated}`);
  });
  const table = await runCli(['pareto', join(dir, 'fast'), '--gpus', '2']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /output tok\/s per GPU \(2 GPUs\)/);
  assert.match(table.stdout, /on the frontier: \d+ of \d/);
});

test('simulate --check SWEEP --html: the predicted TTFT and TPOT are drawn beside the measured in Chromium', { skip, timeout: 90_000 }, async () => {
  const file = join(dir, 'predicted.html');
  const r = await runCli(['simulate', '--calibrate', join(dir, 'fast', 'step-0'), '--calibrate', join(dir, 'fast', 'step-2'), '--check', join(dir, 'fast'), '--html', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /checked against measured runs/);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.hasAttribute('data-charts-drawn'), null, { timeout: 20_000 });
  assert.deepEqual(errors, []);
  const ttft = await page.locator('[data-key="ttft_vs_load"]').innerText();
  assert.ok(ttft.includes('TTFT p50 predicted') && ttft.includes('TTFT p50'), ttft);
  assert.ok((await page.locator('[data-key="tpot_vs_load"]').innerText()).includes('TPOT p50 predicted'));
  await page.close();
  const noSweep = await runCli(['simulate', '--calibrate', join(dir, 'fast', 'step-0'), '--check', join(dir, 'fast', 'step-1'), '--html', file]);
  assert.equal(noSweep.code, 2);
  assert.match(noSweep.stderr, /--html needs a sweep/);
});
