// test-lane: timing (the capacity boundary depends on the server's timers being on time; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSweep } from '../src/sweep/run-sweep.js';
import { formatSweep } from '../src/sweep/format-sweep.js';
import { startTimingServer } from './support/timing-server.js';

test('capacity search against a server with 2 slots lands within 10% of the rate computed by hand', async (t) => {
  // Each request holds a slot for TTFT 20 ms + 9 gaps of 5 ms = 65 ms: 2 slots serve at most 2 / 0.065 = 30.8 req/s.
  // Below that, constant arrivals never queue (TTFT 20 ms); above it the queue grows without bound, so a TTFT SLO
  // of 60 ms is met up to just over 30.8 req/s (31.3 for 60 requests at 90% attainment).
  const server = await startTimingServer({ slots: 2, behavior: { ttftMs: 20, itlMs: 5, outputTokens: 10 }, recordBodies: false });
  t.after(() => server.close());
  const doc = await runSweep({
    benchmark: { url: server.url, model: 'test-model', requests: 60, outputTokens: '10', arrival: 'constant', slo: 'ttft=60ms', scrape: false, probe: false, prices: { gpu_per_hour: 2, gpu_count: 1 } },
    axis: { kind: 'rate', values: [20] },
    capacity: { attainment: 0.9 },
  });
  for (const line of formatSweep(doc).split('\n')) t.diagnostic(line);
  const c = doc.capacity!;
  const truth = 2 / 0.065;
  assert.ok(c.requests_per_s !== null && c.requests_per_s !== undefined, JSON.stringify(c));
  assert.ok(Math.abs(c.requests_per_s - truth) / truth <= 0.1, `capacity ${c.requests_per_s} vs ${truth.toFixed(1)} by hand`);
  assert.ok(c.bracket[1] !== null && c.bracket[1] > c.requests_per_s);
  assert.equal(doc.status, 'completed');
  assert.equal(doc.steps.length, c.probes.length);
  assert.ok(c.probes.every((p, i) => p.step === i));
  // The cost at capacity is that step's own: GPU price x window / output tokens.
  const at = doc.steps[c.probes.find((p) => p.pass && p.load === c.requests_per_s)!.step]!.summary;
  const expected = ((2 / 3600) * at.window_s! * 1e6) / at.tokens.output.total;
  assert.ok(Math.abs(c.cost_per_1m_output_tokens! - expected) < 1e-9 * expected, `${c.cost_per_1m_output_tokens} vs ${expected}`);
});

test('--find-capacity needs an SLO and a sensible attainment', async () => {
  const axis = { kind: 'rate' as const, values: [1] };
  await assert.rejects(runSweep({ benchmark: { url: 'http://127.0.0.1:9/v1' }, axis, capacity: { attainment: 0.9 } }), /--find-capacity needs --slo/);
  await assert.rejects(runSweep({ benchmark: { url: 'http://127.0.0.1:9/v1', slo: 'ttft=1s' }, axis, capacity: { attainment: 1.5 } }), /--attainment/);
});
