import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createOpenAIClient } from '../src/client/openai-client.js';
import type { ClientConfig } from '../src/client/types.js';
import { createClock } from '../src/measure/clock.js';
import type { RequestRecord } from '../src/measure/record.js';
import type { RequestSpec } from '../src/workload/spec.js';
import { clientConfigFor, startTimingServer, type TimingBehavior, type TimingServer } from './support/timing-server.js';

const KEY = 'sk-test-DO-NOT-LEAK-1234567890';
let server: TimingServer;
before(async () => {
  server = await startTimingServer();
});
after(() => server.close());

const spec: RequestSpec = { prompt: 'Hello', max_tokens: 8, exact_output: false, input_tokens: 3 };
const ctx = { index: 7, warmup: false, t_sched: 0 };

async function run(behavior: TimingBehavior, config: Partial<ClientConfig> = {}, signal?: AbortSignal): Promise<RequestRecord> {
  server.setBehavior(behavior);
  const client = createOpenAIClient(clientConfigFor(server, { apiKey: KEY, ...config }), createClock());
  try {
    return await client.send(spec, signal ? { ...ctx, signal } : ctx);
  } finally {
    await client.close();
  }
}

function assertFailed(r: RequestRecord, cls: string): void {
  assert.equal(r.ok, false, `expected failure ${cls}`);
  assert.equal(r.error?.class, cls, r.error?.message);
  assert.ok(!JSON.stringify(r).includes(KEY), 'the API key must not appear in the record');
  assert.equal(r.index, 7);
  assert.ok(r.t_end >= r.t_send);
}

test('HTTP 400 / 429 / 503 with OpenAI error bodies', async () => {
  const body = (m: string) => ({ error: { message: m, type: 'invalid_request_error' } });
  const r400 = await run({ httpStatus: 400, errorBody: body('max_tokens is too large') });
  assertFailed(r400, 'http_4xx');
  assert.equal(r400.error?.status, 400);
  assert.equal(r400.http_status, 400);
  assert.match(r400.error?.message ?? '', /HTTP 400: max_tokens is too large/);
  const r429 = await run({ httpStatus: 429, errorBody: body('Rate limit reached') });
  assertFailed(r429, 'http_429');
  const r503 = await run({ httpStatus: 503, errorBody: 'Service Unavailable' });
  assertFailed(r503, 'http_5xx');
  assert.match(r503.error?.message ?? '', /Service Unavailable/);
});

test('long error messages are truncated and the key is redacted from them', async () => {
  const r = await run({ httpStatus: 401, errorBody: { error: { message: `Incorrect API key provided: ${KEY}. ${'x'.repeat(2000)}` } } });
  assertFailed(r, 'http_4xx');
  assert.ok((r.error?.message.length ?? 0) <= 500);
  assert.match(r.error?.message ?? '', /\[redacted\]/);
});

test('SSE event carrying error -> server_error_event', async () => {
  const r = await run({ outputTokens: 8, errorEventAfter: 3 });
  assertFailed(r, 'server_error_event');
  assert.equal(r.chunks.length, 3);
  assert.match(r.error?.message ?? '', /simulated generation failure/);
});

test('connection reset mid-stream -> connection_reset', async () => {
  const r = await run({ outputTokens: 8, itlMs: 25, resetAfter: 3 });
  assertFailed(r, 'connection_reset');
  // A TCP reset may discard bytes the client had not read yet, so the last chunk can be lost.
  assert.ok(r.chunks.length >= 2 && r.chunks.length <= 3, `chunks ${r.chunks.length}`);
});

test('connection refused', async () => {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((res) => s.close(() => res()));
  const client = createOpenAIClient(clientConfigFor({ url: `http://127.0.0.1:${port}/v1` }, { apiKey: KEY }), createClock());
  const r = await client.send(spec, ctx);
  await client.close();
  assertFailed(r, 'connection_refused');
  assert.equal(r.t_headers, null);
});

test('malformed JSON in data -> protocol_error', async () => {
  const r = await run({ outputTokens: 8, malformedAfter: 2 });
  assertFailed(r, 'protocol_error');
  assert.match(r.error?.message ?? '', /invalid JSON/);
});

test('stream ends without [DONE] and without finish_reason -> protocol_error', async () => {
  const r = await run({ outputTokens: 4, noDone: true, finishReason: null });
  assertFailed(r, 'protocol_error');
  // Either marker alone is a clean finish.
  assert.equal((await run({ outputTokens: 4, noDone: true })).ok, true);
  assert.equal((await run({ outputTokens: 4, finishReason: null })).ok, true);
});

test('clean finish without token-bearing chunks -> empty_response', async () => {
  const r = await run({ outputTokens: 0 });
  assertFailed(r, 'empty_response');
  assert.equal(r.finish_reason, 'stop');
});

test('ttft timeout aborts the request and closes its socket', async () => {
  const r = await run({ stallAfter: 0 }, { timeouts: { connect_ms: 1000, ttft_ms: 150, idle_ms: 10_000, total_ms: 10_000 } });
  assertFailed(r, 'timeout_ttft');
  const elapsed = r.t_end - r.t_send;
  assert.ok(elapsed >= 145 && elapsed < 300, `gave up after ${elapsed} ms`);
  await waitFor(() => server.openConnections() === 0, 'socket of the stalled request closed');
});

test('idle timeout: stall mid-stream', async () => {
  const r = await run({ outputTokens: 10, itlMs: 5, stallAfter: 3 }, { timeouts: { connect_ms: 1000, ttft_ms: 10_000, idle_ms: 120, total_ms: 10_000 } });
  assertFailed(r, 'timeout_idle');
  assert.equal(r.chunks.length, 3);
  await waitFor(() => server.openConnections() === 0, 'socket closed');
});

test('steady chunks keep the idle timer quiet until the total timeout', async () => {
  const r = await run({ outputTokens: 20, itlMs: 40 }, { timeouts: { connect_ms: 1000, ttft_ms: 10_000, idle_ms: 100, total_ms: 250 } });
  assertFailed(r, 'timeout_total');
  const elapsed = r.t_end - r.t_send;
  assert.ok(elapsed >= 245 && elapsed < 400, `total ${elapsed}`);
  assert.ok(r.chunks.length >= 4 && r.chunks.length <= 8, `chunks ${r.chunks.length}`);
});

test('connect timeout -> timeout_connect', async () => {
  // A child process listens with a backlog of 1 and then sleeps without accepting: once the accept queue is
  // full the kernel drops further SYNs, so a new connection hangs in connect until our timeout.
  const child = spawn(process.execPath, ['-e', `
    const s = require('node:net').createServer();
    s.listen(0, '127.0.0.1', 1, () => {
      console.log(s.address().port);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
      process.exit(0);
    });`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = Number(await new Promise<string>((res) => child.stdout.once('data', (d: Buffer) => res(d.toString()))));
    const fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => {}));
    await new Promise((r) => setTimeout(r, 100));
    const client = createOpenAIClient(
      clientConfigFor({ url: `http://127.0.0.1:${port}/v1` }, { apiKey: KEY, timeouts: { connect_ms: 300, ttft_ms: 5000, idle_ms: 5000, total_ms: 5000 } }),
      createClock(),
    );
    const r = await client.send(spec, ctx);
    await client.close();
    for (const f of fillers) f.destroy();
    assertFailed(r, 'timeout_connect');
    assert.ok(r.t_end - r.t_send >= 250 && r.t_end - r.t_send < 2000, `after ${r.t_end - r.t_send} ms`);
  } finally {
    child.kill();
  }
});

test('caller abort -> aborted, before and during the request', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 60);
  const r = await run({ ttftMs: 20, itlMs: 20, outputTokens: 50 }, {}, ac.signal);
  assertFailed(r, 'aborted');
  assert.ok(r.chunks.length >= 1 && r.chunks.length < 10);
  const pre = new AbortController();
  pre.abort();
  const r2 = await run({ outputTokens: 2 }, {}, pre.signal);
  assertFailed(r2, 'aborted');
  await waitFor(() => server.openConnections() === 0, 'aborted socket closed');
});

test('200 with a JSON error body instead of a stream -> server_error_event', async () => {
  const s = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'model overloaded' } }));
  });
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const port = (s.address() as AddressInfo).port;
  const client = createOpenAIClient(clientConfigFor({ url: `http://127.0.0.1:${port}/v1` }), createClock());
  const r = await client.send(spec, ctx);
  await client.close();
  s.close();
  assert.equal(r.error?.class, 'server_error_event');
  assert.match(r.error?.message ?? '', /model overloaded/);
});

test('send after close returns an aborted record', async () => {
  const client = createOpenAIClient(clientConfigFor(server), createClock());
  await client.close();
  const r = await client.send(spec, ctx);
  assert.equal(r.error?.class, 'aborted');
});

async function waitFor(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
