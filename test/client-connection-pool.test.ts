import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAIClient } from '../src/client/openai-client.js';
import { createClock } from '../src/measure/clock.js';
import type { RequestSpec } from '../src/workload/spec.js';
import { clientConfigFor, startTimingServer, type TimingServer } from './support/timing-server.js';

let server: TimingServer;
before(async () => {
  server = await startTimingServer();
});
after(() => server.close());

const spec: RequestSpec = { prompt: 'Hello', max_tokens: 4, exact_output: false, input_tokens: 3 };

test('more requests than connections: they queue, run one per socket, and reuse the sockets', async () => {
  server.setBehavior({ ttftMs: 30, itlMs: 5, outputTokens: 4 });
  const before = server.totalConnections();
  const client = createOpenAIClient(clientConfigFor(server, { connections: 2 }), createClock());
  try {
    const records = await Promise.all(Array.from({ length: 6 }, (_, i) => client.send(spec, { index: i, warmup: false, t_sched: 0 })));
    assert.ok(records.every((r) => r.ok && r.chunks.length === 4), 'all six succeed');
    assert.equal(server.totalConnections() - before, 2, 'two sockets carried six requests');
    // No pipelining: three waves of two, each at least one ttft after the previous one's send.
    const firstTokens = records.map((r) => (r.chunks[0] as { t: number }).t).sort((a, b) => a - b);
    assert.ok((firstTokens[5] as number) - (firstTokens[0] as number) >= 2 * 30 - 15, `waves ${firstTokens.join(', ')}`);
  } finally {
    await client.close();
  }
});

test('a queued request aborted before a socket is free never reaches the server', async () => {
  server.setBehavior({ ttftMs: 40, itlMs: 5, outputTokens: 4 });
  const client = createOpenAIClient(clientConfigFor(server, { connections: 1 }), createClock());
  try {
    const seen = server.requests.length;
    const ac = new AbortController();
    const first = client.send(spec, { index: 0, warmup: false, t_sched: 0 });
    const queued = client.send(spec, { index: 1, warmup: false, t_sched: 0, signal: ac.signal });
    ac.abort();
    const third = client.send(spec, { index: 2, warmup: false, t_sched: 0 });
    const [r0, r1, r2] = await Promise.all([first, queued, third]);
    assert.equal(r0.ok, true);
    assert.equal(r1.error?.class, 'aborted');
    assert.equal(r2.ok, true, 'the socket passed over the aborted request to the next one');
    assert.equal(server.requests.length - seen, 2, 'the aborted request was never sent');
  } finally {
    await client.close();
  }
});

test('close waits for queued requests', async () => {
  server.setBehavior({ ttftMs: 10, itlMs: 5, outputTokens: 2 });
  const client = createOpenAIClient(clientConfigFor(server, { connections: 1 }), createClock());
  const pending = [0, 1, 2].map((i) => client.send(spec, { index: i, warmup: false, t_sched: 0 }));
  await client.close();
  const records = await Promise.all(pending);
  assert.ok(records.every((r) => r.ok), records.map((r) => r.error?.message).join('; '));
});
