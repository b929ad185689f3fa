import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAIClient } from '../src/client/openai-client.js';
import { probeConnectionReuse } from '../src/client/probe-connection-reuse.js';
import { createClock } from '../src/measure/clock.js';
import { runBenchmark } from '../src/benchmark/run-benchmark.js';
import { formatSummary } from '../src/report/console.js';
import type { RequestSpec } from '../src/workload/spec.js';
import { clientConfigFor, startTimingServer } from './support/timing-server.js';

const spec: RequestSpec = { prompt: 'Hello', max_tokens: 6, exact_output: false, input_tokens: 3 };

for (const probe of [true, false]) {
  for (const concurrency of [1, 4]) {
    test(`a server that closes after every answer (probe ${probe ? 'on' : 'off'}, concurrency ${concurrency}): no request fails; seen before the run, none is sent twice, else the retries are counted`, async (t) => {
      const server = await startTimingServer({ closeAfterAnswer: true, behavior: { ttftMs: 5, itlMs: 2, outputTokens: 6 }, recordBodies: false });
      t.after(() => server.close());
      const { results, records } = await runBenchmark({ url: server.url, model: 'test-model', requests: 24, concurrency, outputTokens: '6', scrape: false, probe });
      const s = results.summary;
      assert.equal(s.requests.failed, 0, JSON.stringify(s.errors));
      assert.equal(s.requests.succeeded, 24);
      // Only requests that raced a closing socket before the client learned are sent twice.
      assert.ok(s.requests.retried >= 0 && s.requests.retried <= concurrency, `retried ${s.requests.retried}`);
      for (const r of records.filter((x) => x.retries)) assert.ok(r.ok && r.chunks.length === 6);
      if (s.requests.retried > 0) assert.match(formatSummary(results, { color: false }), /closed \d+ reused connections? before answering/);
      if (probe) {
        // Seen before the run: every request gets its own connection from the start, and none is sent twice.
        assert.equal(s.requests.retried, 0);
        assert.equal(results.run.target.connections, 'per_request');
        assert.match(formatSummary(results, { color: false }), /connections {2}one per request: the server closes each connection after a streamed answer/);
      }
    });
  }
}

test('a server that keeps its connections: the check before the run says so, and they are reused', async (t) => {
  const server = await startTimingServer({ behavior: { ttftMs: 2, itlMs: 2, outputTokens: 6 }, recordBodies: false });
  t.after(() => server.close());
  assert.equal(await probeConnectionReuse(clientConfigFor(server, { connections: 1 })), true);
  const { results } = await runBenchmark({ url: server.url, model: 'test-model', requests: 12, concurrency: 2, outputTokens: '6', scrape: false });
  assert.equal(results.run.target.connections, undefined);
  // Twelve requests over two kept connections (and a few for the checks before the run), not one each.
  assert.ok(server.totalConnections() < 12, `${server.totalConnections()} connections`);
});

test('a request the server answered in part is never sent again, even on a reused connection', async (t) => {
  const server = await startTimingServer({ behavior: { ttftMs: 2, itlMs: 2, outputTokens: 6 }, recordBodies: false });
  t.after(() => server.close());
  const client = createOpenAIClient(clientConfigFor(server, { connections: 1 }), createClock());
  t.after(() => client.close());
  assert.equal((await client.send(spec, { index: 0, warmup: false, t_sched: 0 })).ok, true);
  server.setBehavior({ ttftMs: 2, itlMs: 2, outputTokens: 6, resetAfter: 2 });
  const seen = server.requests.length;
  const cut = await client.send(spec, { index: 1, warmup: false, t_sched: 0 });
  assert.equal(cut.error?.class, 'connection_reset');
  assert.equal(cut.retries, undefined);
  assert.equal(server.requests.length - seen, 1, 'sent once');
});

test('--timeout-idle fires at the idle deadline when a stream stalls after its first token, not at the TTFT deadline', async (t) => {
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 5, outputTokens: 6, stallAfter: 1 }, recordBodies: false });
  t.after(() => server.close());
  const config = clientConfigFor(server, { connections: 1 });
  const client = createOpenAIClient({ ...config, timeouts: { connect_ms: 5_000, ttft_ms: 30_000, idle_ms: 400, total_ms: 60_000 } }, createClock());
  t.after(() => client.close());
  const r = await client.send(spec, { index: 0, warmup: false, t_sched: 0 });
  assert.equal(r.error?.class, 'timeout_idle');
  assert.equal(r.chunks.length, 1);
  const waited = r.t_end - r.chunks[0]!.t;
  assert.ok(waited >= 390 && waited < 3_000, `failed ${waited.toFixed(0)} ms after the last chunk`);
});
