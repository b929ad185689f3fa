/**
 * The monitor's dashboard in real headless Chromium: served by the monitor itself, no console errors, no request
 * beyond the monitor, a row per target with sparklines drawn, a live update seen, a target page with its charts and
 * alerts; and the token that /api and /metrics require when one is set.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor, type Monitor } from '../src/monitor/monitor.js';
import { startTimingServer, type TimingServer } from './support/timing-server.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;

let dir: string;
let context: BrowserContext;
let good: TimingServer;
let failing: TimingServer;
let vllm: Server;
let monitor: Monitor;

const config = (vllmUrl: string, listen = '127.0.0.1:0'): string => `listen: ${listen}
store: ${join(dir, `m-${Math.random().toString(36).slice(2)}.db`)}
location: lab
targets:
  - name: good
    url: ${good.url}
    model: m
    scrape: ${vllmUrl}
    scrape_every: 1s
  - name: failing
    url: ${failing.url}
    model: m
    scrape: off
probes:
  - name: short
    every: 300ms
    input_tokens: 10
    output_tokens: 4
    timeout: 2s
slos:
  - probe: short
    ttft: 1s
alerts:
  failing: { k: 2, n: 3 }
`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inferscope-dash-'));
  good = await startTimingServer({ behavior: { ttftMs: 15, itlMs: 5, outputTokens: 4 }, recordBodies: false });
  failing = await startTimingServer({ behavior: { httpStatus: 500 }, recordBodies: false });
  const exposition = readFileSync(fileURLToPath(new URL('./fixtures/metrics/vllm-v1.txt', import.meta.url)), 'utf8');
  vllm = createServer((_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end(exposition));
  await new Promise<void>((r) => vllm.listen(0, '127.0.0.1', r));
  monitor = await startMonitor(parseMonitorConfig(config(`http://127.0.0.1:${(vllm.address() as { port: number }).port}/metrics`)), { apiKeys: new Map() });
  await new Promise((r) => setTimeout(r, 1500));
  if (skip) return;
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 1000 },
  });
});

after(async () => {
  await context?.close();
  await monitor?.close({ drain: false });
  await good?.close();
  await failing?.close();
  await new Promise((r) => (vllm ? vllm.close(r) : r(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(url: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}

const updates = (page: Page): Promise<number> => page.evaluate(() => Number(document.documentElement.getAttribute('data-updates') ?? 0));

/** Canvases with saturated (series-coloured) pixels. */
const drawnCanvases = (page: Page, selector: string): Promise<number> =>
  page.evaluate((sel) => {
    let n = 0;
    for (const c of Array.from(document.querySelectorAll<HTMLCanvasElement>(`${sel} canvas`))) {
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let coloured = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 60 && Math.max(px[i]!, px[i + 1]!, px[i + 2]!) - Math.min(px[i]!, px[i + 1]!, px[i + 2]!) > 50) coloured++;
      if (coloured > 5) n++;
    }
    return n;
  }, selector);

test('the dashboard shows every target live, offline and without console errors; a target page draws its charts and alerts', { skip, timeout: 90_000 }, async () => {
  const { page, errors, requests } = await open(`${monitor.url}/`);
  await page.waitForFunction(() => Number(document.documentElement.getAttribute('data-updates') ?? 0) >= 1, null, { timeout: 20_000 });
  const rows = await page.locator('tr.target').allInnerTexts();
  assert.equal(rows.length, 2, rows.join('\n'));
  assert.ok(rows.some((r) => r.includes('good')) && rows.some((r) => r.includes('failing') && r.includes('http_5xx')), rows.join('\n'));
  assert.ok((await drawnCanvases(page, 'tr[data-target="good"]')) >= 3, 'sparklines of the healthy target drawn');
  // Live: the page redraws on its own and the last probe moves on.
  const first = await updates(page);
  await page.waitForFunction((n) => Number(document.documentElement.getAttribute('data-updates') ?? 0) > n, first, { timeout: 20_000 });

  await page.locator('tr[data-target="failing"]').click();
  await page.waitForFunction(() => document.querySelectorAll('figure').length === 7, null, { timeout: 20_000 });
  await page.waitForFunction((n) => Number(document.documentElement.getAttribute('data-updates') ?? 0) > n, await updates(page), { timeout: 20_000 });
  assert.match(await page.locator('section').innerText(), /firing since .*fail/i);
  await page.goto(`${monitor.url}/#target=good&probe=short`);
  await page.waitForFunction(() => document.querySelectorAll('figure canvas').length >= 7, null, { timeout: 20_000 });
  assert.ok((await drawnCanvases(page, 'figure')) >= 6, 'latency bands, probes and the server charts drawn');
  // The server's token counters as rates between scrapes: the fixture's counters stand still, so 0 tok/s.
  const tokens = page.locator('figure', { hasText: 'tokens/s, all its traffic' });
  assert.equal(await tokens.locator('canvas').count(), 1);
  assert.match(await tokens.innerText(), /generated/i);
  await page.locator('button', { hasText: '15m' }).click();
  await page.waitForFunction(() => document.querySelector('button.on')?.textContent === '15m', null, { timeout: 10_000 });
  assert.deepEqual(errors, []);
  const origin = new URL(monitor.url).origin;
  assert.deepEqual(requests.filter((r) => !r.startsWith(origin)), [], 'no request leaves the monitor');
  await page.close();
});

test('the page script sets text, never markup', () => {
  const js = readFileSync(fileURLToPath(new URL('../src/monitor/http/dashboard/dashboard.js', import.meta.url)), 'utf8');
  assert.ok(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(js));
});

test('with a token, /api and /metrics need it and the page passes it; beyond loopback a token is required', { skip, timeout: 60_000 }, async () => {
  const secured = await startMonitor(parseMonitorConfig(config('http://127.0.0.1:9/metrics')), { apiKeys: new Map(), authToken: 's3cret-token' });
  try {
    assert.equal((await fetch(`${secured.url}/api/targets`)).status, 401);
    assert.equal((await fetch(`${secured.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${secured.url}/api/targets`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${secured.url}/api/targets`, { headers: { authorization: 'Bearer s3cret-token' } })).status, 200);
    const { page, errors } = await open(`${secured.url}/#token=s3cret-token`);
    await page.waitForFunction(() => Number(document.documentElement.getAttribute('data-updates') ?? 0) >= 1, null, { timeout: 20_000 });
    assert.equal(await page.locator('tr.target').count(), 2);
    assert.ok(!page.url().includes('s3cret'), 'the token leaves the address bar');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await secured.close({ drain: false });
  }
  await assert.rejects(startMonitor(parseMonitorConfig(config('http://127.0.0.1:9/metrics', '0.0.0.0:0')), { apiKeys: new Map() }), /--auth-token-env/);
});
