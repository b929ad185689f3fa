/**
 * The HTML report in real headless Chromium (/usr/bin/chromium via playwright-core): opened from file://,
 * no console errors, no network, charts actually drawn, untrusted text shown and never executed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { writeHtmlReport } from '../src/report/html/write-report.js';
import { syntheticRun } from './support/synthetic-run.js';
import type { ReportRun } from '../src/report/html/chart-data.js';
import type { HtmlReportOptions } from '../src/report/html/render-html.js';
import { compareTable } from '../src/report/html/compare-table.js';
import { toLoadedRun } from '../src/compare/loaded-run.js';
import { compareRuns } from '../src/compare/compare-runs.js';

const CHROMIUM = '/usr/bin/chromium';
const EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;

let dir: string;
let context: BrowserContext;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'inferscope-report-browser-'));
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

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  url: string;
}

async function open(runs: ReportRun[], name: string, options: HtmlReportOptions = {}): Promise<Opened> {
  const file = join(dir, name);
  writeHtmlReport(runs, file, options);
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
  return { page, errors, requests, url };
}

/** Per chart: how many pixels carry a saturated colour (series colours; axes and grid are grey). */
async function colouredPixels(page: Page): Promise<Array<{ chart: string; key: string; coloured: number }>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('[data-chart]')).map((el) => {
      const canvas = el.querySelector('canvas');
      let coloured = 0;
      if (canvas) {
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < px.length; i += 4) {
          const max = Math.max(px[i]!, px[i + 1]!, px[i + 2]!);
          const min = Math.min(px[i]!, px[i + 1]!, px[i + 2]!);
          if (px[i + 3]! > 60 && max - min > 50) coloured++;
        }
      }
      return { chart: el.dataset.chart ?? '', key: el.dataset.key ?? '', coloured };
    }),
  );
}

test('a one-run report opens offline, draws every chart and makes no request', { skip, timeout: 60_000 }, async () => {
  const { page, errors, requests, url } = await open([syntheticRun({ requests: 2000, label: 'baseline' })], 'one.html');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [url]);
  const charts = await colouredPixels(page);
  // 4 metrics x (histogram + CDF), scatter, throughput, concurrency, 2 server series.
  assert.equal(charts.length, 13);
  for (const c of charts) assert.ok(c.coloured > 100, `${c.chart} ${c.key}: ${c.coloured} coloured pixels`);
  const text = await page.locator('body').innerText();
  for (const needle of ['TTFT P50 / P99 (MS)', 'Output tokens/s', 'Finish reasons', 'Errors by class', 'requests_running', 'rate 50 req/s']) {
    assert.ok(text.includes(needle), `page shows ${needle}`);
  }
  await page.close();
});

test('untrusted model ids, labels, error messages and outputs show as text and never run', { skip, timeout: 60_000 }, async () => {
  const { page, errors, requests, url } = await open([syntheticRun({ requests: 300, label: EVIL, untrustedText: EVIL })], 'evil.html');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [url]);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await page.locator('img').count(), 0);
  // Only our two scripts plus the JSON data block exist.
  assert.equal(await page.locator('script').count(), 3);
  const text = await page.locator('body').innerText();
  const shown = text.split(EVIL).length - 1;
  // Label (heading), model id, finish reason, error messages, outputs.
  assert.ok(shown >= 5, `untrusted text shown ${shown} times`);
  assert.equal(await page.title(), `inferscope report: ${EVIL}`);
  await page.close();
});

test('a two-run report shows the comparison with overlaid charts', { skip, timeout: 60_000 }, async () => {
  const runs = [syntheticRun({ requests: 600, seed: 1, label: 'baseline' }), syntheticRun({ requests: 600, seed: 2, slowdown: 0.7, label: 'tuned' })];
  // The tuned run was offered another rate: the report says so above the table, not folded into the notes.
  (runs[1]!.results.run as unknown as { config: Record<string, unknown> }).config.rate = 80;
  const compare = compareTable(compareRuns(toLoadedRun(runs[0]!), toLoadedRun(runs[1]!), { resamples: 200 }));
  const { page, errors, requests, url } = await open(runs, 'two.html', { compare });
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [url]);
  const comparison = page.locator('#comparison');
  assert.equal(await comparison.count(), 1);
  const head = await comparison.locator('table.side-by-side thead').innerText();
  assert.match(head, /baseline\s+tuned/);
  const charts = (await colouredPixels(page)).filter((c) => c.chart.startsWith('overlay-'));
  assert.equal(charts.length, 5);
  for (const c of charts) assert.ok(c.coloured > 100, `${c.chart} ${c.key}: ${c.coloured} coloured pixels`);
  // Each overlay legend names both runs.
  const legend = await comparison.locator('.u-legend').first().innerText();
  assert.ok(legend.includes('baseline') && legend.includes('tuned'), legend);
  assert.equal(await page.locator('section.run').count(), 2);
  const table = comparison.locator('table.compare');
  assert.ok(await table.isVisible());
  const tableText = await table.innerText();
  assert.match(tableText, /base baseline vs candidate tuned/);
  assert.match(tableText, /TTFT p50 \(ms\)[^\n]*improved/);
  const warnings = comparison.locator('.compare-warnings');
  assert.ok(await warnings.isVisible());
  assert.match(await warnings.innerText(), /The runs differ[\s\S]*request rate differs: base 50, candidate 80/);
  await page.close();
});

test('SLO limits are drawn on the latency charts they apply to', { skip, timeout: 60_000 }, async () => {
  const red = async (page: Page, key: string): Promise<number> =>
    page.evaluate((k) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-chart="cdf"][data-key="${k}"] canvas`);
      if (!canvas) return -1;
      const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i]! > 180 && px[i + 1]! < 90 && px[i + 2]! < 90 && px[i + 3]! > 60) n++;
      return n;
    }, key);
  const withSlo = await open([syntheticRun({ requests: 400, label: 'slo', slo: 'ttft=150ms' })], 'slo.html');
  const without = await open([syntheticRun({ requests: 400, label: 'plain' })], 'plain.html');
  assert.deepEqual(withSlo.errors, []);
  assert.ok((await red(withSlo.page, 'ttft')) > (await red(without.page, 'ttft')) + 50, 'a red SLO line on the TTFT CDF');
  assert.ok((await red(withSlo.page, 'e2e')) <= (await red(without.page, 'e2e')) + 5, 'none where no SLO applies');
  await withSlo.page.close();
  await without.page.close();
});

test('the diagnosis, answer quality and conversations show in the report', { skip, timeout: 60_000 }, async () => {
  const run = syntheticRun({ requests: 300, errorRate: 0.1 });
  run.results.summary.quality = { requests: 40, exact_match: { mean: 0.625, stddev: 0.48 }, f1: { mean: 0.71, stddev: 0.2 }, rouge_l: { mean: 0.69, stddev: 0.2 } };
  run.results.summary.sessions = { conversations: 6, completed: 6, turns: 2, history_share: 0.4, cost_per_conversation: null, per_turn: [{ turn: 0, requests: 6, ttft_p50_ms: 40, ttft_p99_ms: 60, input_tokens_mean: 100 }, { turn: 1, requests: 6, ttft_p50_ms: 30, ttft_p99_ms: 50, input_tokens_mean: 220 }] };
  const { page, errors } = await open([run], 'diagnosis.html');
  assert.deepEqual(errors, []);
  const panel = page.locator('.diagnosis');
  assert.equal(await panel.count(), 1);
  const text = await panel.innerText();
  assert.match(text, /Diagnosis/);
  assert.match(text, /errors \(high\): \d+ requests failed/);
  // Right under the run's figures, above its conditions and charts.
  const above = await page.evaluate(() => {
    const conditions = [...document.querySelectorAll('h3')].find((h) => h.textContent === 'Conditions')!;
    return !!(document.querySelector('.diagnosis')!.compareDocumentPosition(conditions) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(above, 'the diagnosis comes before the conditions');
  const body = await page.locator('body').innerText();
  assert.match(body, /exact match 62\.5%, F1 0\.71/);
  assert.match(body, /6 conversations of 2 turns \(6 complete\), history 40\.0% of prompt tokens/);
  await page.close();
});

test('ITL CDF switches to a log axis and back; comparison notes are folded', { skip, timeout: 60_000 }, async () => {
  const { page, errors } = await open([syntheticRun({ requests: 300 })], 'log-axis.html');
  const toggle = page.locator('input.log-axis');
  assert.equal(await toggle.count(), 1);
  const chart = page.locator('figure', { has: toggle }).locator('[data-chart]');
  await toggle.check();
  assert.equal(await chart.getAttribute('data-log'), 'true');
  assert.equal(await chart.locator('canvas').count(), 1);
  await toggle.uncheck();
  assert.equal(await chart.getAttribute('data-log'), 'false');
  assert.deepEqual(errors, []);
  await page.close();
  const two = await open([syntheticRun({ requests: 300, seed: 1 }), syntheticRun({ requests: 300, seed: 2, slowdown: 1.3 })], 'notes.html');
  const notes = two.page.locator('details.notes');
  if ((await notes.count()) > 0) assert.equal(await notes.first().getAttribute('open'), null);
  assert.deepEqual(two.errors, []);
  await two.page.close();
});

test('given model and GPU, the run gets a roofline chart: its decode and prefill points under the roofs', { skip, timeout: 60_000 }, async () => {
  const { rooflineView } = await import('../src/analysis/roofline-view.js');
  const { findGpu, findModel } = await import('../src/analysis/roofline-tables.js');
  const run = syntheticRun({ requests: 500, label: 'on an H100' });
  const base = { model: findModel('llama-3.1-8b'), gpu: findGpu('h100-sxm'), tp: 1, dtype: 'bf16' as const, kvDtype: 'bf16' as const };
  run.roofline = rooflineView(base, run.results.summary, 8);
  assert.ok(run.roofline);
  // Decode sits left of the ridge (memory-bound), under the memory roof; both points under the compute roof.
  const decode = run.roofline.points.find((p) => p.phase === 'decode')!;
  assert.ok(decode.intensity < run.roofline.peak_tflops / run.roofline.bandwidth_tbs);
  for (const p of run.roofline.points) assert.ok(p.tflops <= Math.min(run.roofline.peak_tflops, run.roofline.bandwidth_tbs * p.intensity) * 1.0001, JSON.stringify(p));
  const { page, errors } = await open([run], 'roofline.html');
  assert.deepEqual(errors, []);
  const roof = (await colouredPixels(page)).find((c) => c.chart === 'roofline');
  assert.ok(roof && roof.coloured > 100, JSON.stringify(roof));
  const text = await page.locator('body').innerText();
  assert.ok(/roofline/i.test(text) && /MBU \d/.test(text) && /MFU \d/.test(text), 'the chart and its note are shown');
  await page.close();
});
