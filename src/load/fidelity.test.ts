import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessFidelity, fidelityFromRecords, spanRate, summarizeLag, type FidelityInputs } from './fidelity.js';
import { failedRecord } from './request-pool.js';

const calm = { p50: 0.2, p99: 1, max: 3 };

function inputs(over: Partial<FidelityInputs> = {}): FidelityInputs {
  return {
    openLoop: true,
    schedule_lag_ms: calm,
    event_loop_lag_ms: calm,
    achieved_rate: 50,
    target_rate: 50,
    scheduled_rate: 50,
    late_requests: 0,
    client_cpu: 0.1,
    capped_at: null,
    ...over,
  };
}

test('a calm run is valid', () => {
  const f = assessFidelity(inputs());
  assert.equal(f.valid, true);
  assert.deepEqual(f.invalid_reasons, []);
});

test('schedule lag above the limit makes an open loop invalid, with a plain reason', () => {
  const f = assessFidelity(inputs({ schedule_lag_ms: { p50: 3, p99: 230, max: 400 } }));
  assert.equal(f.valid, false);
  assert.deepEqual(f.invalid_reasons, ['schedule lag p99 was 230 ms (limit 50 ms): the client fell behind the arrival schedule']);
});

test('closed loops are not judged on schedule lag or rate', () => {
  const f = assessFidelity(inputs({ openLoop: false, schedule_lag_ms: { p50: 3, p99: 230, max: 400 }, achieved_rate: 1, target_rate: null }));
  assert.equal(f.valid, true);
});

test('a low achieved rate is invalid; the reason names the cap when it held arrivals back', () => {
  const slow = assessFidelity(inputs({ achieved_rate: 30 }));
  assert.match(slow.invalid_reasons[0]!, /achieved rate was 30 req\/s, 60% of the scheduled 50 req\/s \(target 50 req\/s\) \(limit 90%\): the client could not send/);
  const capped = assessFidelity(inputs({ achieved_rate: 30, capped_at: 4 }));
  assert.match(capped.invalid_reasons[0]!, /maxConcurrency 4 slots/);
});

test('event-loop delay and client CPU apply to every profile; thresholds are configurable', () => {
  const f = assessFidelity(inputs({ openLoop: false, event_loop_lag_ms: { p50: 1, p99: 180, max: 200 }, client_cpu: 0.99 }));
  assert.equal(f.invalid_reasons.length, 2);
  assert.match(f.invalid_reasons[0]!, /^event-loop delay p99 was 180 ms \(limit 100 ms\)/);
  assert.match(f.invalid_reasons[1]!, /^client CPU was 0.99 of a core \(limit 0.95\)/);
  const lenient = assessFidelity(inputs({ client_cpu: 0.99 }), { scheduleLagP99Ms: 50, minRateFraction: 0.9, eventLoopLagP99Ms: 100, maxClientCpu: 1.5 });
  assert.equal(lenient.valid, true);
});

test('spanRate and summarizeLag', () => {
  assert.equal(spanRate([0, 20, 40, 60]), 50);
  assert.equal(spanRate([5]), null);
  assert.deepEqual(summarizeLag([]), { p50: 0, p99: 0, max: 0 });
  const s = summarizeLag([1, 2, 3, 4, 100]);
  assert.equal(s.p50, 3);
  assert.equal(s.max, 100);
});

test('fidelityFromRecords skips warm-up and counts late requests', () => {
  const rec = (index: number, warmup: boolean, tSched: number, tSend: number) =>
    failedRecord({ index, warmup, t_sched: tSched }, tSend, tSend + 5, 'unknown', 'x');
  const records = [rec(0, true, 0, 500), rec(1, false, 1000, 1001), rec(2, false, 1020, 1021), rec(3, false, 1040, 1120)];
  const profile = { kind: 'rate', rate: 50, arrival: 'constant', burstiness: 1, maxConcurrency: null, rampUpS: 0 } as const;
  const f = fidelityFromRecords(records, profile, { event_loop_lag_ms: calm, client_cpu: 0.1 }, null);
  assert.equal(f.late_requests, 1);
  assert.equal(f.schedule_lag_ms.max, 80);
  assert.equal(f.target_rate, 50);
  assert.ok(Math.abs(f.achieved_rate - 2000 / 119) < 1e-9);
  assert.equal(f.valid, false);
});
