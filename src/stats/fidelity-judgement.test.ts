import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeTiming } from './timing-fidelity.js';
import { saturation } from './saturation.js';
import type { Fidelity } from '../measure/fidelity.js';
import { makeRecord } from '../../test/support/record-builder.js';

const base = (lagP99: number): Fidelity => ({
  schedule_lag_ms: { p50: 0, p99: 0, max: 0 },
  event_loop_lag_ms: { p50: lagP99 / 2, p99: lagP99, max: lagP99 },
  achieved_rate: 10,
  target_rate: null,
  late_requests: 0,
  client_cpu: 0.2,
  valid: true,
  invalid_reasons: [],
});

test('timing is judged against the figures: sub-ms delay is fine, a delay near the ITL is not', () => {
  assert.equal(judgeTiming(base(0.6), { itlMean: 1, ttftP50: 5 }).status, 'valid', 'under the 1 ms floor');
  const degraded = judgeTiming(base(2), { itlMean: 5, ttftP50: 100 });
  assert.equal(degraded.status, 'degraded');
  assert.equal(degraded.valid, true);
  assert.equal(degraded.timing_uncertainty_ms, 2);
  assert.match(degraded.degraded_reasons![0]!, /up to 2\.0 ms .* 40% of the mean ITL of 5\.0 ms/);
  const smeared = judgeTiming(base(40), { itlMean: 5, ttftP50: 500 });
  assert.equal(smeared.status, 'degraded', 'ITL alone never invalidates: its mean, TPOT and E2E stay right');
  assert.match(smeared.degraded_reasons!.join(' '), /cannot resolve single gaps/);
  // A typical timestamp (delay p50 20 ms) late by two thirds of the TTFT: the TTFT is the client's.
  const invalid = judgeTiming(base(40), { itlMean: 5, ttftP50: 30 });
  assert.equal(invalid.status, 'invalid');
  assert.equal(invalid.valid, false);
  assert.match(invalid.invalid_reasons.join(' '), /the TTFT measured is the client's/);
  // Only the tail is late (p50 1.5 ms of a 5 ms TTFT): degraded, not invalid.
  const tail = judgeTiming({ ...base(3), event_loop_lag_ms: { p50: 0.4, p99: 3, max: 5 } }, { itlMean: 5, ttftP50: 5 });
  assert.equal(tail.status, 'degraded');
  assert.equal(judgeTiming(base(40), { itlMean: 500, ttftP50: 2000 }).status, 'valid', '40 ms is nothing next to 500 ms gaps');
  const already = judgeTiming({ ...base(0), valid: false, invalid_reasons: ['schedule lag'] }, { itlMean: 5, ttftP50: 50 });
  assert.equal(already.status, 'invalid');
});

/** n requests sent every `gap` ms whose TTFT is ttft(i). */
const run = (n: number, gap: number, ttft: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => makeRecord({ index: i, t_send: i * gap, chunks: [i * gap + ttft(i), i * gap + ttft(i) + 5] }));

test('saturation: a TTFT that grows beyond doubt while fewer requests are served than offered; noise is not', () => {
  const queued = run(60, 50, (i) => 20 + 15 * i); // 20 req/s offered, each request waits 15 ms longer
  const sat = saturation(queued, 12, true)!;
  assert.equal(sat.saturated, true);
  assert.ok(Math.abs(sat.offered_rate_per_s! - 20) < 0.01);
  assert.match(sat.reason!, /served 12\.0 req\/s of the 20\.0 offered.*TTFT grew from/);
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 30;
  assert.equal(saturation(run(60, 50, () => 20 + noise()), 19.8, true)!.saturated, false, 'flat, noisy TTFT');
  assert.equal(saturation(queued, 19.9, true)!.saturated, false, 'served as offered');
  assert.equal(saturation(queued, 12, false), null, 'closed loops have no offered rate');
  assert.equal(saturation(run(5, 50, (i) => 20 * i), 1, true)!.saturated, false, 'too few requests');
});
