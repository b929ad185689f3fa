// test-lane: timing (checks timing against real servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClock } from '../src/measure/clock.js';
import { startScraper } from '../src/server-metrics/scraper.js';
import { detectMetricsUrl, metricsUrlCandidates } from '../src/server-metrics/detect-metrics-url.js';
import { summarizeServerMetrics } from '../src/server-metrics/window.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const exposition = (n: number) =>
  '# HELP vllm:prompt_tokens_total Number of prefill tokens processed.\n' +
  '# TYPE vllm:prompt_tokens_total counter\n' +
  `vllm:prompt_tokens_total{model_name="m",engine="0"} ${100 * n}.0\n` +
  '# TYPE vllm:num_requests_running gauge\n' +
  `vllm:num_requests_running{model_name="m",engine="0"} ${n % 3}.0\n`;

test('scrapes at once, then on its timer without overlap, and once more on stop; counters grow', async () => {
  let served = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const accepts = new Set<string>();
  const srv = await serve((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    accepts.add(String(req.headers.accept));
    served++;
    const body = exposition(served);
    // A slow-ish endpoint, so overlap would show if the timer did not wait for the round.
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(body);
      inFlight--;
    }, 15);
  });
  try {
    const clock = createClock();
    const scraper = startScraper({ urls: [`${srv.url}/metrics`], intervalMs: 60, clock, timeoutMs: 1000 });
    await sleep(400);
    await scraper.scrapeNow();
    const log = await scraper.stop();
    const s = log.scrapes;
    assert.ok(s.length >= 5 && s.length <= 10, `scrape count ${s.length}`);
    assert.equal(s.length, served);
    assert.equal(maxInFlight, 1, 'no overlapping scrapes');
    assert.deepEqual([...accepts], ['text/plain;version=0.0.4;q=1,*/*;q=0.1']);
    for (const r of s) {
      assert.equal(r.ok, true, r.error);
      assert.equal(r.status, 200);
      assert.ok(r.t_ms >= r.start_ms && r.t_ms <= r.start_ms + r.duration_ms);
      assert.ok(r.duration_ms >= 10, `duration ${r.duration_ms}`);
      assert.ok(r.parse_ms !== undefined && r.parse_ms >= 0 && r.parse_ms < 50);
      assert.ok(r.bytes! > 100);
    }
    assert.ok(s[0]!.start_ms < 30, `first scrape starts immediately (${s[0]!.start_ms} ms)`);
    const gaps = s.slice(1, -2).map((r, i) => r.start_ms - s[i]!.start_ms);
    // The schedule is anchored to the start: a late scrape is followed by an early one, never by an overlap.
    for (const g of gaps) assert.ok(g >= 25 && g <= 250, `gap ${g} ms`);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    assert.ok(mean >= 50 && mean <= 120, `mean gap ${mean} ms for a 60 ms interval`);
    const summary = summarizeServerMetrics(s);
    assert.deepEqual(summary.engines, ['vllm']);
    assert.equal(summary.tokens.prompt, 100 * (s.length - 1));
    assert.equal(summary.scrapes.ok, s.length);
  } finally {
    await srv.close();
  }
});

test('failures are recorded, not thrown: HTTP 500, timeout, refused connection, garbage', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/500') {
      res.writeHead(500);
      res.end('boom');
    } else if (req.url === '/garbage') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('<html>not metrics</html>\n');
    } else if (req.url === '/ok') {
      res.writeHead(200);
      res.end(exposition(1));
    }
    // '/hang' never answers
  });
  const closed = await serve(() => {});
  const refusedUrl = `${closed.url}/metrics`;
  await closed.close();
  try {
    const scraper = startScraper({
      urls: [`${srv.url}/500`, `${srv.url}/hang`, refusedUrl, `${srv.url}/garbage`, `${srv.url}/ok`],
      intervalMs: 10_000,
      clock: createClock(),
      timeoutMs: 150,
    });
    const t0 = performance.now();
    const log = await scraper.stop();
    const elapsed = performance.now() - t0;
    assert.ok(elapsed < 1500, `stop took ${elapsed} ms`);
    const byUrl = (suffix: string) => log.scrapes.filter((r) => r.url.endsWith(suffix));
    assert.equal(log.scrapes.length, 10, 'initial round + final round, 5 URLs each');
    for (const r of byUrl('/500')) assert.deepEqual([r.ok, r.status, r.error], [false, 500, 'HTTP 500']);
    for (const r of byUrl('/hang')) {
      assert.equal(r.ok, false);
      assert.equal(r.error, 'timeout after 150 ms');
      assert.ok(r.duration_ms >= 120 && r.duration_ms < 1000, `timeout duration ${r.duration_ms}`);
    }
    for (const r of log.scrapes.filter((x) => x.url === refusedUrl)) {
      assert.equal(r.ok, false);
      assert.match(r.error!, /ECONNREFUSED/);
    }
    for (const r of byUrl('/garbage')) {
      assert.equal(r.ok, false);
      assert.match(r.error!, /unparseable exposition: line 1/);
    }
    for (const r of byUrl('/ok')) assert.equal(r.ok, true);
    const summary = summarizeServerMetrics(log.scrapes);
    assert.equal(summary.scrapes.failed, 8);
    assert.equal(summary.scrapes.ok, 2);
  } finally {
    await srv.close();
  }
});

test('startScraper validates its options', () => {
  const clock = createClock();
  assert.throws(() => startScraper({ urls: [], intervalMs: 1000, clock, timeoutMs: 100 }), /urls is empty/);
  assert.throws(() => startScraper({ urls: ['http://127.0.0.1:1/'], intervalMs: 0, clock, timeoutMs: 100 }), /intervalMs/);
});

test('detectMetricsUrl finds /metrics beside /v1, and rejects what is not an exposition', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200);
      res.end(exposition(1));
    } else if (req.url === '/proxy/metrics') {
      res.writeHead(200);
      res.end('{"error": "not here"}');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const none = await serve((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  try {
    assert.deepEqual(metricsUrlCandidates('http://h:8000/v1'), ['http://h:8000/metrics']);
    assert.deepEqual(metricsUrlCandidates('http://h:8000/proxy/v1/'), ['http://h:8000/proxy/metrics', 'http://h:8000/metrics']);
    assert.equal(await detectMetricsUrl(`${srv.url}/v1`), `${srv.url}/metrics`);
    assert.equal(await detectMetricsUrl(`${srv.url}/proxy/v1`), `${srv.url}/metrics`);
    assert.equal(await detectMetricsUrl(`${none.url}/v1`), undefined);
  } finally {
    await srv.close();
    await none.close();
  }
});
