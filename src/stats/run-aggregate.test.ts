import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord } from '../../test/support/record-builder.js';
import type { RequestRecord } from '../measure/record.js';
import { summarizeAggregate } from './aggregate-summary.js';
import { HdrDistribution } from './hdr-distribution.js';
import { RunAggregate } from './run-aggregate.js';
import { summarize } from './summary.js';
import { describe } from './percentiles.js';
import type { Distribution } from './percentiles.js';

/** A deterministic run: 3000 requests, 4 in flight, latencies from a skewed generator; some failures, a warm-up. */
function syntheticRun(): RequestRecord[] {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out: RequestRecord[] = [];
  for (let i = 0; i < 3000; i++) {
    const tSend = i * 25 + rnd() * 5;
    const ttft = 20 + 200 * rnd() ** 3;
    const gaps = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => 2 + 10 * rnd() ** 2);
    const times = [tSend + ttft];
    for (const g of gaps) times.push(times.at(-1)! + g);
    const fail = i % 97 === 5;
    out.push(
      makeRecord({
        index: i,
        warmup: i < 10,
        t_sched: tSend - rnd(),
        t_send: tSend,
        chunks: fail ? times.slice(0, 1) : times,
        t_end: times.at(-1)! + 0.5,
        input_tokens: 100 + (i % 7),
        output_tokens: fail ? 0 : times.length,
        ok: !fail,
        ...(fail ? { error: { class: 'http_5xx' as const, message: `HTTP 503 #${i}` }, finish_reason: null } : { finish_reason: i % 3 ? 'stop' : 'length' }),
      }),
    );
  }
  return out;
}

function assertNear(hdr: Distribution, exact: Distribution, what: string): void {
  assert.equal(hdr.count, exact.count, `${what} count`);
  for (const k of ['mean', 'std', 'min', 'max'] as const) assert.ok(Math.abs(hdr[k]! - exact[k]!) <= 1e-6 * Math.max(1, Math.abs(exact[k]!)), `${what} ${k}: ${hdr[k]} vs ${exact[k]}`);
  for (const k of ['p50', 'p90', 'p99'] as const) {
    // Nearest rank within 0.1% + 1 µs, against linear interpolation between neighbouring ranks of a dense sample.
    const tol = 0.002 * Math.abs(exact[k]!) + 0.01;
    assert.ok(Math.abs(hdr[k]! - exact[k]!) <= tol, `${what} ${k}: ${hdr[k]} vs ${exact[k]}`);
  }
}

test('an aggregate of every record gives the exact summary: counts, tokens, errors and means exact, percentiles within 0.1%', () => {
  const records = syntheticRun();
  const slo = { ttft_ms: 100 };
  const exact = summarize(records, { slo });
  const agg = summarizeAggregate(RunAggregate.fromRecords(records, { slo, tpotNaIsGood: false }));
  assert.deepEqual(agg.requests, exact.requests);
  assert.deepEqual(agg.tokens, exact.tokens);
  assert.deepEqual(agg.finish_reasons, exact.finish_reasons);
  assert.deepEqual(agg.errors, exact.errors);
  assert.deepEqual(agg.goodput, exact.goodput);
  assert.deepEqual(agg.window, exact.window);
  assert.equal(agg.tpot_na, exact.tpot_na);
  for (const k of ['ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms', 'schedule_lag_ms', 'max_stall_ms'] as const) assertNear(agg[k], exact[k], k);
  assert.ok(Math.abs(agg.throughput.concurrency.mean! - exact.throughput.concurrency.mean!) < 1e-9);
  assert.ok(agg.throughput.concurrency.max! <= exact.throughput.concurrency.max!, 'the 1-second max is a lower bound');
  assert.equal(agg.percentile_relative_error, 0.001);
  assert.match(agg.percentile_method, /HDR/);
});

test('shards merge by adding aggregates, through JSON, on one clock', () => {
  const records = syntheticRun();
  const options = { slo: null, tpotNaIsGood: false };
  const whole = summarizeAggregate(RunAggregate.fromRecords(records, options));
  // Shard 1's clock started 1234.5 ms later: its times read that much less.
  const shift = 1234.5;
  const a = RunAggregate.fromRecords(records.filter((r) => r.index % 2 === 0), options);
  const b = RunAggregate.fromRecords(
    records.filter((r) => r.index % 2 === 1).map((r) => ({ ...r, t_sched: r.t_sched - shift, t_send: r.t_send - shift, t_end: r.t_end - shift, chunks: r.chunks.map((c) => ({ ...c, t: c.t - shift })) })),
    options,
  );
  const merged = new RunAggregate(options);
  merged.merge(RunAggregate.fromJSON(JSON.parse(JSON.stringify(a.toJSON()))));
  merged.merge(RunAggregate.fromJSON(JSON.parse(JSON.stringify(b.toJSON()))), shift);
  const m = summarizeAggregate(merged);
  assert.deepEqual(m.requests, whole.requests);
  assert.deepEqual(m.window, whole.window);
  assert.deepEqual(m.errors, whole.errors);
  for (const k of ['ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms'] as const) {
    assert.equal(m[k].p50, whole[k].p50, k);
    assert.equal(m[k].p99, whole[k].p99, k);
    assert.ok(Math.abs(m[k].mean! - whole[k].mean!) < 1e-9 && Math.abs(m[k].std! - whole[k].std!) < 1e-9, k);
  }
});

test('an HDR distribution reads percentiles within its stated error over six decades', () => {
  const values = Array.from({ length: 200_001 }, (_, i) => 0.01 * 10 ** ((6 * i) / 200_000));
  const h = new HdrDistribution();
  for (const v of values) h.add(v);
  const got = h.describe();
  const exact = describe(values);
  for (const k of ['p50', 'p90', 'p99', 'p999'] as const) assert.ok(Math.abs(got[k]! - exact[k]!) <= 0.001 * exact[k]! + 0.001, `${k}: ${got[k]} vs ${exact[k]}`);
  assert.equal(got.min, 0.01);
  assert.equal(got.max, 10_000);
});
