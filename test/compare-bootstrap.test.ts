import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockBootstrapSums,
  bootstrapMeanQuantiles,
  buildSample,
  drawCounts,
  percentileInterval,
  relativeDifferences,
  weightedMeanQuantiles,
} from '../src/compare/bootstrap.js';
import { newcombeDifference, wilsonInterval, zForConfidence } from '../src/compare/proportions.js';
import { selectQuantiles } from '../src/compare/select.js';
import { describe as describeSamples } from '../src/stats/percentiles.js';
import { createRng, forkRng } from '../src/util/rng.js';

const QS = [0.5, 0.9, 0.99];

test('weighted mean and quantiles with unit weights equal describe()', () => {
  const rng = createRng(7);
  const values = Array.from({ length: 1001 }, () => rng.exponential(0.1));
  const out = new Float64Array(4);
  weightedMeanQuantiles(buildSample(values), null, QS, out);
  const d = describeSamples(values);
  for (const [i, v] of [d.mean, d.p50, d.p90, d.p99].entries()) assert.ok(Math.abs(out[i]! - v!) < 1e-9, `stat ${i}`);
});

test('weighted statistics equal describe() of the expanded sample, clusters included', () => {
  const rng = createRng(3);
  const perUnit = Array.from({ length: 50 }, (_, u) => (u % 7 === 0 ? null : u % 3 === 0 ? [rng.next(), rng.next(), rng.next()] : rng.next()));
  const sample = buildSample(perUnit);
  const counts = new Int32Array(50);
  drawCounts(rng, counts);
  const expanded: number[] = [];
  perUnit.forEach((v, u) => {
    for (let k = 0; k < counts[u]!; k++) if (v !== null) expanded.push(...(typeof v === 'number' ? [v] : v));
  });
  const out = new Float64Array(4);
  weightedMeanQuantiles(sample, counts, QS, out);
  const d = describeSamples(expanded);
  for (const [i, v] of [d.mean, d.p50, d.p90, d.p99].entries()) assert.ok(Math.abs(out[i]! - v!) < 1e-9, `stat ${i}`);
});

test('block draws keep n units and neighbours together', () => {
  const counts = new Int32Array(100);
  drawCounts(createRng(1), counts, 10);
  assert.equal(counts.reduce((s, x) => s + x, 0), 100);
  const sums = blockBootstrapSums(Float64Array.from({ length: 40 }, () => 2), 4, 50, createRng(2));
  assert.ok(sums.every((s) => s === 80));
});

/** Lognormal samples: the candidate is the base scaled by `ratio`, so every statistic's true ratio is `ratio`. */
function lognormalSamples(seed: number, n: number, scale: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => scale * 100 * Math.exp(0.5 * rng.normal()));
}

function relativeIntervals(base: number[], candidate: number[], seed: number, resamples = 500) {
  const reps = (values: number[], label: string) =>
    bootstrapMeanQuantiles(values.length, [buildSample(values)], QS, resamples, forkRng(seed, label))[0]!;
  const b = reps(base, 'base');
  const c = reps(candidate, 'candidate');
  return b.map((_, k) => percentileInterval(relativeDifferences(b[k]!, c[k]!), 0.95)!);
}

test('bootstrap intervals cover the true relative difference about 95% of the time', (t) => {
  const sims = 120;
  const covered = [0, 0, 0, 0];
  for (let s = 0; s < sims; s++) {
    const ci = relativeIntervals(lognormalSamples(1000 + s, 800, 1), lognormalSamples(5000 + s, 800, 1.1), s);
    ci.forEach((iv, k) => {
      if (iv.low <= 0.1 && 0.1 <= iv.high) covered[k]!++;
    });
  }
  const rates = covered.map((c) => c / sims);
  t.diagnostic(`coverage of mean, p50, p90, p99 over ${sims} simulations: ${rates.join(', ')}`);
  // mean, p50, p90: coverage near 0.95; p99 of 800 samples is rougher but still close.
  for (const [k, rate] of rates.entries()) {
    assert.ok(rate >= (k === 3 ? 0.85 : 0.88) && rate <= 0.995, `coverage of stat ${k}: ${rate}`);
  }
});

test('same-distribution samples: the interval excludes 0 at about the nominal 5% rate', (t) => {
  const sims = 120;
  let excluded = 0;
  let total = 0;
  for (let s = 0; s < sims; s++) {
    const ci = relativeIntervals(lognormalSamples(2000 + s, 600, 1), lognormalSamples(9000 + s, 600, 1), s, 400);
    for (const iv of ci.slice(0, 3)) {
      total++;
      if (iv.low > 0 || iv.high < 0) excluded++;
    }
  }
  t.diagnostic(`intervals excluding 0: ${excluded} of ${total}`);
  assert.ok(excluded / total <= 0.1, `false positive rate ${excluded / total}`);
});

test('Wilson and Newcombe intervals match the published examples', () => {
  assert.ok(Math.abs(zForConfidence(0.95) - 1.959964) < 1e-5);
  const w = wilsonInterval(81, 263, 0.95);
  assert.ok(Math.abs(w.low - 0.2553) < 5e-4 && Math.abs(w.high - 0.3662) < 5e-4, JSON.stringify(w));
  // Newcombe (1998), method 10: 56/70 vs 48/80 -> difference 0.2, interval 0.0524 to 0.3339.
  const d = newcombeDifference({ x: 48, n: 80 }, { x: 56, n: 70 }, 0.95);
  assert.ok(Math.abs(d.difference - 0.2) < 1e-9);
  assert.ok(Math.abs(d.low - 0.0524) < 5e-4 && Math.abs(d.high - 0.3339) < 5e-4, JSON.stringify(d));
  // Zero events in both: the interval straddles 0.
  const zero = newcombeDifference({ x: 0, n: 100 }, { x: 0, n: 100 }, 0.95);
  assert.ok(zero.low < 0 && zero.high > 0);
});

test('selectQuantiles equals describe() without sorting, also with many equal values', () => {
  const rng = createRng(11);
  for (const values of [
    Array.from({ length: 10_001 }, () => rng.exponential(0.05)),
    Array.from({ length: 50_000 }, () => Math.round(rng.next() * 3)), // quantized timings: long runs of ties
    [5],
  ]) {
    const d = describeSamples(values);
    const [p50, p90, p99] = selectQuantiles(Float64Array.from(values), QS);
    assert.deepEqual([p50, p90, p99], [d.p50, d.p90, d.p99]);
  }
  assert.ok(Number.isNaN(selectQuantiles(new Float64Array(0), [0.5])[0]));
});
