import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClock } from '../src/measure/clock.js';
import { noMetricsNote, probeMetricsUrl, type MetricsProbe } from '../src/server-metrics/detect-metrics-url.js';
import { FAST_SCRAPE_INTERVAL_MS, FAST_SCRAPE_PHASE_MS, scrapeCadence } from '../src/server-metrics/scrape-cadence.js';
import { startScraper } from '../src/server-metrics/scraper.js';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const notFound = (p: MetricsProbe) => {
  assert.equal(p.found, false);
  return p as Extract<MetricsProbe, { found: false }>;
};

test('no /metrics: the probe says why per URL, and the note says how to turn metrics on', async () => {
  // llama-server started without --metrics (tools/server: 501, not_supported_error).
  const llama = await serve((req, res) => {
    res.writeHead(req.url === '/metrics' ? 501 : 404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        error: { code: 501, message: 'This server does not support metrics endpoint. Start it with `--metrics`', type: 'not_supported_error' },
      }),
    );
  });
  // A FastAPI server without the route (SGLang without --enable-metrics), and an HTML page, and an empty exposition.
  const fastapi = await serve((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"detail":"Not Found"}');
  });
  const html = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><body>dashboard</body></html>');
  });
  const empty = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# HELP x y\n# TYPE x counter\n');
  });
  const gone = await serve(() => {});
  const goneUrl = gone.url;
  await gone.close();
  try {
    const l = notFound(await probeMetricsUrl(`${llama.url}/v1`));
    assert.deepEqual(l.attempts, [{ url: `${llama.url}/metrics`, status: 501, problem: 'http_status', detail: 'HTTP 501', server: 'llamacpp' }]);
    const note = noMetricsNote(l);
    assert.match(note, new RegExp(`^No server-side view: ${llama.url}/metrics answered HTTP 501\\. llama-server exposes it only when started with --metrics`));
    assert.match(note, /--scrape URL/);

    const f = notFound(await probeMetricsUrl(`${fastapi.url}/v1`));
    assert.equal(f.attempts[0]!.problem, 'http_status');
    assert.equal(f.attempts[0]!.server, undefined, 'a plain 404 does not name the server');
    assert.match(noMetricsNote(f), /answered HTTP 404\. To enable \/metrics: llama-server needs --metrics, SGLang --enable-metrics; vLLM .*; TGI .*9000/);
    // The engine the run detected names the remedy.
    assert.match(noMetricsNote(f, { server: 'sglang 0.5.2' }), /SGLang exposes it only when started with --enable-metrics\./);
    assert.match(noMetricsNote(f, { server: 'TGI 3.3.4' }), /--scrape http:\/\/HOST:9000\/metrics/);
    assert.match(noMetricsNote(f, { server: 'ollama' }), /Ollama has no Prometheus endpoint/);

    const h = notFound(await probeMetricsUrl(`${html.url}/proxy/v1`));
    assert.deepEqual(h.attempts.map((a) => [a.url, a.problem]), [
      [`${html.url}/proxy/metrics`, 'not_exposition'],
      [`${html.url}/metrics`, 'not_exposition'],
    ]);
    assert.match(noMetricsNote(h), /did not answer with Prometheus metrics/);

    const e = notFound(await probeMetricsUrl(`${empty.url}/v1`));
    assert.equal(e.attempts[0]!.problem, 'no_samples');
    assert.match(noMetricsNote(e), /answered with no metrics in it/);

    const g = notFound(await probeMetricsUrl(`${goneUrl}/v1`, { timeoutMs: 1000 }));
    assert.equal(g.attempts[0]!.problem, 'unreachable');
    assert.match(noMetricsNote(g), /did not answer \(ECONNREFUSED/);
  } finally {
    await Promise.all([llama.close(), fastapi.close(), html.close(), empty.close()]);
  }
});

test('scrapeCadence: the user interval as given; else fast first for runs not known to be long', () => {
  assert.deepEqual(scrapeCadence({ defaultIntervalS: 1, userIntervalS: 2 }), { intervalMs: 2000 });
  assert.deepEqual(scrapeCadence({ defaultIntervalS: 1, userIntervalS: 0.1 }), { intervalMs: 100 });
  const fast = { intervalMs: 1000, fastIntervalMs: FAST_SCRAPE_INTERVAL_MS, fastForMs: FAST_SCRAPE_PHASE_MS };
  assert.deepEqual(scrapeCadence({ defaultIntervalS: 1, requests: 32 }), fast, 'a request-bounded closed loop has no known length');
  assert.deepEqual(scrapeCadence({ defaultIntervalS: 1, durationS: 5 }), fast);
  assert.deepEqual(scrapeCadence({ defaultIntervalS: 1, requests: 100, rate: 50 }), fast, '2 s at 50 req/s');
  assert.deepEqual(scrapeCadence({ defaultIntervalS: 1, durationS: 60 }), { intervalMs: 1000 });
  assert.deepEqual(scrapeCadence({ defaultIntervalS: 1, requests: 1000, rate: 10 }), { intervalMs: 1000 });
});

test('the scraper runs its fast interval first, then the steady one', async () => {
  let served = 0;
  const srv = await serve((_req, res) => {
    served++;
    res.writeHead(200);
    res.end(`vllm:num_requests_running{model_name="m",engine="0"} ${served}\n`);
  });
  try {
    const clock = createClock();
    const scraper = startScraper({ urls: [`${srv.url}/metrics`], intervalMs: 400, fastIntervalMs: 40, fastForMs: 400, clock, timeoutMs: 1000 });
    await sleep(1300);
    const { scrapes } = await scraper.stop();
    const starts = scrapes.slice(0, -1).map((s) => s.start_ms);
    const fastPhase = starts.filter((t) => t < 400).length;
    const slowPhase = starts.filter((t) => t >= 450).length;
    // ~10 scrapes in the first 400 ms at 40 ms, then one every 400 ms: a busy machine may delay timers, never add scrapes.
    assert.ok(fastPhase >= 4 && fastPhase <= 11, `fast phase ${fastPhase} scrapes: ${starts.map((t) => t.toFixed(0))}`);
    assert.ok(slowPhase >= 1 && slowPhase <= 3, `slow phase ${slowPhase} scrapes: ${starts.map((t) => t.toFixed(0))}`);
    assert.throws(() => startScraper({ urls: [`${srv.url}/metrics`], intervalMs: 400, fastIntervalMs: 0, clock, timeoutMs: 1000 }), /fastIntervalMs/);
  } finally {
    await srv.close();
  }
});
