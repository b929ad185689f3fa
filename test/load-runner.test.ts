// test-lane: timing (checks timing against real servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClock, type Clock } from '../src/measure/clock.js';
import type { RequestRecord } from '../src/measure/record.js';
import { arrivalTimesMs, type RateProfile } from '../src/load/arrivals.js';
import { LoadConfigError, LoadRunError } from '../src/load/errors.js';
import { failedRecord } from '../src/load/request-pool.js';
import { runLoad } from '../src/load/runner.js';
import type { ScheduledRequest, SendFn } from '../src/load/types.js';

/** A send that takes `serviceMs` (setTimeout), honours the abort signal, and tracks requests in flight. */
function timedSend(clock: Clock, serviceMs: number) {
  const stats = { inFlight: 0, maxInFlight: 0, seenAtSend: [] as number[], sends: [] as ScheduledRequest[] };
  const send: SendFn = (req, signal) =>
    new Promise<RequestRecord>((resolve) => {
      const tSend = clock.now();
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      stats.seenAtSend.push(stats.inFlight);
      stats.sends.push(req);
      const finish = (aborted: boolean): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        stats.inFlight--;
        const rec = failedRecord(req, tSend, clock.now(), 'aborted', 'aborted');
        resolve(aborted ? rec : { ...rec, ok: true, error: null, t_headers: tSend });
      };
      const onAbort = (): void => finish(true);
      const timer = setTimeout(() => finish(false), serviceMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  return { send, stats };
}

function rate(over: Partial<RateProfile> = {}): RateProfile {
  return { kind: 'rate', rate: 50, arrival: 'constant', burstiness: 1, maxConcurrency: null, rampUpS: 0, ...over };
}

const measured = (records: RequestRecord[]): RequestRecord[] => records.filter((r) => !r.warmup);

test('closed loop keeps exactly N requests in flight', async () => {
  const clock = createClock();
  const { send, stats } = timedSend(clock, 20);
  const result = await runLoad({ profile: { kind: 'concurrency', concurrency: 4 }, limits: { requests: 60, durationS: null, warmup: 0 }, seed: 1, clock, send });
  assert.equal(result.records.length, 60);
  assert.equal(stats.maxInFlight, 4);
  // After the first four, every send happens the moment a slot frees: in flight is exactly 4 again.
  assert.deepEqual(new Set(stats.seenAtSend.slice(4)), new Set([4]));
  assert.deepEqual(measured(result.records).map((r) => r.index).sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i));
  // t_sched is when the slot freed, so the schedule lag is tiny.
  assert.ok(result.fidelity.schedule_lag_ms.p99 < 15, `lag p99 ${result.fidelity.schedule_lag_ms.p99}`);
  assert.equal(result.fidelity.target_rate, null);
  // 4 workers x 20 ms service: ~200 req/s; allow a busy machine.
  assert.ok(result.fidelity.achieved_rate > 100 && result.fidelity.achieved_rate <= 210, `rate ${result.fidelity.achieved_rate}`);
});

test('constant open loop: 50 req/s for 2 s sends 100 requests ~20 ms apart', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 5);
  const result = await runLoad({ profile: rate(), limits: { requests: null, durationS: 2, warmup: 0 }, seed: 1, clock, send });
  const recs = measured(result.records).sort((a, b) => a.index - b.index);
  assert.equal(recs.length, 100);
  const gaps = recs.slice(1).map((r, i) => r.t_send - recs[i]!.t_send);
  // The intended times are exact; the actual sends may be pushed back when the OS deschedules a busy machine,
  // so the check is on the median and on most gaps rather than on every one.
  recs.slice(1).forEach((r, i) => assert.ok(Math.abs(r.t_sched - recs[i]!.t_sched - 20) < 1e-6));
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  assert.ok(Math.abs(median - 20) < 2, `median gap ${median}`);
  const near = gaps.filter((g) => Math.abs(g - 20) < 10).length;
  assert.ok(near >= 0.9 * gaps.length, `only ${near} of ${gaps.length} gaps within 20 +- 10 ms: ${sorted.join(',')}`);
  assert.ok(Math.abs(result.fidelity.achieved_rate - 50) < 5, `rate ${result.fidelity.achieved_rate}`);
  assert.ok(result.fidelity.schedule_lag_ms.p50 < 3, `lag p50 ${result.fidelity.schedule_lag_ms.p50}`);
  assert.ok(result.fidelity.schedule_lag_ms.p99 < 50, `lag p99 ${result.fidelity.schedule_lag_ms.p99}`);
  assert.equal(result.fidelity.valid, true, result.fidelity.invalid_reasons.join('; '));
});

test('poisson open loop fires the seeded schedule, within Poisson bounds of the rate', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 5);
  const profile = rate({ arrival: 'poisson' });
  const result = await runLoad({ profile, limits: { requests: null, durationS: 2, warmup: 0 }, seed: 99, clock, send });
  const expected = arrivalTimesMs(profile, 99, 400).filter((t) => t < 2000);
  const recs = measured(result.records).sort((a, b) => a.index - b.index);
  // Mean 101 (100 + the arrival at 0), sd 10: the seeded count must be plausible, and exactly what was sent.
  assert.ok(expected.length > 65 && expected.length < 135, `scheduled ${expected.length}`);
  assert.equal(recs.length, expected.length);
  recs.forEach((r, i) => assert.ok(Math.abs(r.t_sched - result.measuredStart - expected[i]!) < 1e-6));
});

test('a ramp-up sends the integrated count: 100 req/s ramped over 1 s, for 1.5 s, is ~101 requests', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 2);
  const result = await runLoad({ profile: rate({ rate: 100, rampUpS: 1 }), limits: { requests: null, durationS: 1.5, warmup: 0 }, seed: 1, clock, send });
  const n = measured(result.records).length;
  assert.ok(Math.abs(n - 101) <= 2, `sent ${n}`);
});

test('warm-up requests go first, are marked, and finish before the measured phase', async () => {
  for (const profile of [{ kind: 'concurrency', concurrency: 2 } as const, rate({ rate: 100, maxConcurrency: 3 })]) {
    const clock = createClock();
    const { send, stats } = timedSend(clock, 10);
    let measuringAt = -1;
    const result = await runLoad({
      profile,
      limits: { requests: 10, durationS: null, warmup: 5 },
      seed: 1,
      clock,
      send,
      onMeasuringStart: () => {
        measuringAt = clock.now();
      },
    });
    assert.equal(result.records.length, 15);
    assert.deepEqual(stats.sends.slice(0, 5).map((s) => [s.index, s.warmup]), [0, 1, 2, 3, 4].map((i) => [i, true]));
    const warm = result.records.filter((r) => r.warmup);
    const meas = measured(result.records);
    assert.equal(warm.length, 5);
    assert.deepEqual(meas.map((r) => r.index).sort((a, b) => a - b), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    for (const w of warm) assert.ok(w.t_end <= result.measuredStart);
    for (const m of meas) assert.ok(m.t_send >= result.measuredStart);
    // Called after the warm-up settled and before the measured phase sent anything.
    for (const w of warm) assert.ok(w.t_end <= measuringAt);
    assert.ok(measuringAt <= result.measuredStart);
    assert.ok(result.measuredEnd >= Math.max(...meas.map((r) => r.t_end)));
  }
});

test('the duration bound stops sending; in-flight requests finish', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 50);
  const result = await runLoad({ profile: { kind: 'concurrency', concurrency: 2 }, limits: { requests: null, durationS: 0.5, warmup: 0 }, seed: 1, clock, send });
  const recs = measured(result.records);
  const deadline = result.measuredStart + 500;
  for (const r of recs) assert.ok(r.t_sched < deadline, `t_sched ${r.t_sched - result.measuredStart}`);
  assert.ok(recs.every((r) => r.ok));
  assert.ok(recs.length >= 14 && recs.length <= 22, `sent ${recs.length}`);
  assert.ok(Math.max(...recs.map((r) => r.t_end)) > deadline, 'the last requests finished after the duration');
});

test('requests still running at the end of the grace period are aborted', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 5000);
  const t0 = clock.now();
  const result = await runLoad({ profile: { kind: 'concurrency', concurrency: 3 }, limits: { requests: null, durationS: 0.2, warmup: 0 }, seed: 1, clock, send, graceMs: 100 });
  const elapsed = clock.now() - t0;
  assert.equal(result.records.length, 3);
  assert.ok(result.records.every((r) => r.error?.class === 'aborted'));
  assert.ok(elapsed > 280 && elapsed < 600, `took ${elapsed} ms`);
  assert.equal(result.stoppedEarly, false);
});

test('the abort signal stops sending at once and returns every record', async () => {
  const clock = createClock();
  const { send, stats } = timedSend(clock, 200);
  const controller = new AbortController();
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = clock.now();
    controller.abort();
  }, 300);
  const result = await runLoad({ profile: rate({ rate: 100 }), limits: { requests: null, durationS: 30, warmup: 0 }, seed: 1, clock, send, signal: controller.signal });
  const returnedAt = clock.now();
  assert.equal(result.stoppedEarly, true);
  assert.ok(returnedAt - abortedAt < 100, `returned ${returnedAt - abortedAt} ms after the abort`);
  assert.equal(result.records.length, stats.sends.length);
  assert.ok(stats.sends.every((s) => s.t_sched <= abortedAt + 15));
  assert.ok(result.records.some((r) => r.ok) && result.records.some((r) => r.error?.class === 'aborted'));
});

test('a send that ignores its abort signal still gets a record, and the run returns', async () => {
  const clock = createClock();
  const send: SendFn = () => new Promise(() => {});
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const result = await runLoad({ profile: { kind: 'concurrency', concurrency: 2 }, limits: { requests: 10, durationS: null, warmup: 0 }, seed: 1, clock, send, signal: controller.signal });
  assert.equal(result.records.length, 2);
  assert.ok(result.records.every((r) => r.error?.class === 'aborted' && /did not finish/.test(r.error.message)));
});

test('maxConcurrency caps requests in flight; waiting arrivals show schedule lag', async () => {
  const clock = createClock();
  const { send, stats } = timedSend(clock, 100);
  const result = await runLoad({ profile: rate({ rate: 100, maxConcurrency: 2 }), limits: { requests: 20, durationS: null, warmup: 0 }, seed: 1, clock, send });
  assert.equal(measured(result.records).length, 20);
  assert.equal(stats.maxInFlight, 2);
  // 20 requests at 2 x 10 req/s take ~1 s; scheduled over 190 ms, so the last waited ~800 ms.
  assert.ok(result.fidelity.schedule_lag_ms.max > 600, `max lag ${result.fidelity.schedule_lag_ms.max}`);
  assert.equal(result.fidelity.valid, false);
  assert.ok(result.fidelity.invalid_reasons.some((r) => r.includes('maxConcurrency 2 slots')), result.fidelity.invalid_reasons.join('; '));
  assert.equal(result.unsentArrivals, 0);
});

test('with a cap and a duration, arrivals that never got a slot are counted as unsent', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 200);
  const result = await runLoad({ profile: rate({ rate: 100, maxConcurrency: 1 }), limits: { requests: null, durationS: 0.5, warmup: 0 }, seed: 1, clock, send });
  const sent = measured(result.records).length;
  assert.ok(sent >= 2 && sent <= 4, `sent ${sent}`);
  assert.equal(sent + result.unsentArrivals, 50);
});

test('a blocked event loop marks the run invalid', async () => {
  const clock = createClock();
  const send: SendFn = async (req) => {
    const tSend = clock.now();
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // busy: the client process is the bottleneck
    }
    await new Promise((r) => setTimeout(r, 20));
    return { ...failedRecord(req, tSend, clock.now(), 'unknown', ''), ok: true, error: null };
  };
  const result = await runLoad({ profile: { kind: 'concurrency', concurrency: 1 }, limits: { requests: 6, durationS: null, warmup: 0 }, seed: 1, clock, send });
  assert.equal(result.fidelity.valid, false);
  assert.ok(result.fidelity.event_loop_lag_ms.p99 > 100, `event-loop p99 ${result.fidelity.event_loop_lag_ms.p99}`);
  assert.ok(result.fidelity.invalid_reasons.some((r) => r.startsWith('event-loop delay p99 was')));
});

test('a send that throws becomes an unknown-error record and the run goes on', async () => {
  const clock = createClock();
  const send: SendFn = async (req) => {
    if (req.index % 2 === 0) throw new Error('boom');
    return { ...failedRecord(req, clock.now(), clock.now(), 'unknown', ''), ok: true, error: null };
  };
  const result = await runLoad({ profile: { kind: 'concurrency', concurrency: 2 }, limits: { requests: 6, durationS: null, warmup: 0 }, seed: 1, clock, send });
  assert.equal(result.records.length, 6);
  const failed = result.records.filter((r) => !r.ok);
  assert.equal(failed.length, 3);
  assert.ok(failed.every((r) => r.error?.class === 'unknown' && r.error.message === 'send() threw: boom'));
});

test('an onRecord listener that throws stops the run and runLoad rejects with it as cause', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 5);
  const boom = new Error('listener broke');
  await assert.rejects(
    runLoad({ profile: { kind: 'concurrency', concurrency: 2 }, limits: { requests: 100, durationS: null, warmup: 0 }, seed: 1, clock, send, onRecord: () => { throw boom; } }),
    (err: unknown) => err instanceof LoadRunError && err.cause === boom,
  );
});

test('a run without any limit, or with a bad field, is refused naming the field', async () => {
  const clock = createClock();
  const { send } = timedSend(clock, 1);
  const profile = { kind: 'concurrency', concurrency: 1 } as const;
  await assert.rejects(runLoad({ profile, limits: { requests: null, durationS: null, warmup: 0 }, seed: 1, clock, send }), (e: unknown) => e instanceof LoadConfigError && e.field === 'limits');
  await assert.rejects(runLoad({ profile: { kind: 'concurrency', concurrency: 0 }, limits: { requests: 1, durationS: null, warmup: 0 }, seed: 1, clock, send }), (e: unknown) => e instanceof LoadConfigError && e.field === 'profile.concurrency');
  await assert.rejects(runLoad({ profile: rate({ rate: -1 }), limits: { requests: 1, durationS: null, warmup: 0 }, seed: 1, clock, send }), (e: unknown) => e instanceof LoadConfigError && e.field === 'profile.rate');
});

test('closed loop against a real HTTP server keeps N connections busy', async () => {
  let active = 0;
  let maxActive = 0;
  const server = createServer((_req, res) => {
    active++;
    maxActive = Math.max(maxActive, active);
    setTimeout(() => {
      active--;
      res.end('ok');
    }, 30);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const clock = createClock();
    const send: SendFn = async (req, signal) => {
      const tSend = clock.now();
      try {
        const res = await fetch(url, { signal });
        await res.text();
        return { ...failedRecord(req, tSend, clock.now(), 'unknown', ''), ok: true, error: null, http_status: res.status };
      } catch (err) {
        return failedRecord(req, tSend, clock.now(), 'connection_reset', String(err));
      }
    };
    const result = await runLoad({ profile: { kind: 'concurrency', concurrency: 3 }, limits: { requests: 30, durationS: null, warmup: 3 }, seed: 1, clock, send });
    assert.equal(result.records.length, 33);
    assert.ok(result.records.every((r) => r.ok && r.http_status === 200));
    assert.equal(maxActive, 3);
  } finally {
    server.close();
  }
});
