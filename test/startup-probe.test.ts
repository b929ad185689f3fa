// test-lane: timing
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runBenchmark } from '../src/index.js';
import { probeExactOutputSupport } from '../src/client/probe-exact-output.js';
import { probeServerInfo } from '../src/client/server-info.js';
import { clientConfigFor, startTimingServer } from './support/timing-server.js';

/** Every request whose sequence number falls in the first 3 of each 10 fails: 30% of all requests. */
const flaky = () => {
  let n = 0;
  return () => (n++ % 10 < 3 ? { httpStatus: 503 } : { outputTokens: 4 });
};

test('a server failing 30% of requests is still probed and benchmarked; the retries keep ignore_eos', async () => {
  const server = await startTimingServer({ behavior: flaky() });
  const warnings: string[] = [];
  try {
    const { results } = await runBenchmark(
      { url: server.url, requests: 20, concurrency: 2, outputTokens: '4', inputTokens: '8', scrape: false },
      { onEvent: (e) => (e.type === 'warning' ? warnings.push(e.message) : undefined) },
    );
    assert.equal(results.summary.requests.total, 20);
    assert.ok(results.summary.requests.succeeded > 0 && results.summary.requests.failed > 0);
    const measured = server.requests.filter((r) => (r.body as { max_tokens?: number } | null)?.max_tokens === 4 && (r.body as { messages?: unknown[] }).messages);
    assert.ok(measured.some((r) => (r.body as { ignore_eos?: boolean }).ignore_eos === true), 'ignore_eos kept');
  } finally {
    await server.close();
  }
});

test('a field whose probe keeps failing transiently is sent as if accepted, and said so', async () => {
  const server = await startTimingServer({ behavior: (r) => ('ignore_eos' in (r.body ?? {}) ? { httpStatus: 500 } : {}) });
  const notes: string[] = [];
  try {
    const support = await probeExactOutputSupport(clientConfigFor(server), { backoffMs: 10, onNote: (m) => notes.push(m) });
    assert.deepEqual(support, { ignore_eos: true, min_tokens: true, include_usage: true });
    assert.equal(server.requests.filter((r) => 'ignore_eos' in (r.body ?? {})).length, 3, 'three attempts');
    assert.match(notes.join('\n'), /ignore_eos kept failing \(HTTP 500.*sent as if accepted/);
  } finally {
    await server.close();
  }
});

test('min_tokens accepted but ignored (short output) is not used, and said so', async () => {
  const server = await startTimingServer({ behavior: { outputTokens: 1 } });
  const notes: string[] = [];
  try {
    const support = await probeExactOutputSupport(clientConfigFor(server), { onNote: (m) => notes.push(m) });
    assert.equal(support.min_tokens, false);
    assert.equal(support.ignore_eos, true);
    assert.match(notes.join('\n'), /min_tokens is not used: the server accepted it but returned 1 of 2 tokens/);
  } finally {
    await server.close();
  }
});

test('a server that never answers: the probe gives up within the TTFT timeout; version look-ups are bounded', async () => {
  const server = await startTimingServer({ behavior: { headersDelayMs: 60_000 } });
  try {
    const t0 = performance.now();
    const cfg = clientConfigFor(server, { timeouts: { connect_ms: 300, ttft_ms: 700, idle_ms: 1000, total_ms: 5000 } });
    await assert.rejects(probeExactOutputSupport(cfg), /no answer within 1000 ms/);
    const probeMs = performance.now() - t0;
    assert.ok(probeMs < 4000, `probe took ${probeMs} ms`);
  } finally {
    await server.close();
  }
  // A socket that accepts but never answers: every look-up at once, bounded by one timeout, not their sum.
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const t1 = performance.now();
    const info = await probeServerInfo(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`, 'm', { timeoutMs: 500 });
    assert.deepEqual(info, { owned_by: null, version: null, version_source: null });
    assert.ok(performance.now() - t1 < 2000, 'concurrent look-ups');
  } finally {
    silent.close();
  }
});

test('a closed port fails fast with a clear error', async () => {
  const s = await startTimingServer();
  const url = s.url;
  await s.close();
  const t0 = performance.now();
  await assert.rejects(runBenchmark({ url, model: 'm', requests: 1, scrape: false }), /ECONNREFUSED.*is the server running\?/);
  assert.ok(performance.now() - t0 < 3000);
});
