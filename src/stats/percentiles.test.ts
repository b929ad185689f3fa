import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe, quantileSorted } from './percentiles.js';

const close = (actual: number | null, expected: number, eps = 1e-9): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);
};

test('matches numpy percentile (linear) and population std on 1..10', () => {
  const d = describe([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  assert.equal(d.count, 10);
  close(d.mean, 5.5);
  close(d.std, 2.8722813232690143); // np.std, ddof=0
  close(d.min, 1);
  close(d.max, 10);
  close(d.p50, 5.5);
  close(d.p90, 9.1);
  close(d.p95, 9.55);
  close(d.p99, 9.91);
  close(d.p999, 9.991);
});

test('matches numpy on an uneven sample with an outlier', () => {
  // numpy: np.percentile(y, [50, 90, 95, 99, 99.9]), y.mean(), y.std()
  const d = describe([3.5, 1.0, 7.25, 2.0, 100.0, 4.0, 4.0]);
  close(d.p50, 4.0);
  close(d.p90, 44.35);
  close(d.p95, 72.175);
  close(d.p99, 94.435);
  close(d.p999, 99.4435);
  close(d.mean, 17.392857142857142);
  close(d.std, 33.7728380779101);
});

test('no samples: count 0 and every statistic null', () => {
  assert.deepEqual(describe([]), {
    count: 0, mean: null, std: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null, p999: null,
  });
});

test('one sample: every statistic is that sample, std 0', () => {
  const d = describe([42]);
  assert.equal(d.count, 1);
  for (const k of ['mean', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'p999'] as const) assert.equal(d[k], 42);
  assert.equal(d.std, 0);
});

test('non-finite samples are ignored', () => {
  const d = describe([1, Number.NaN, 3, Number.POSITIVE_INFINITY]);
  assert.equal(d.count, 2);
  assert.equal(d.mean, 2);
});

test('sorts numerically, not as strings', () => {
  assert.equal(describe([100, 9, 20]).p50, 20);
});

test('quantileSorted clamps q and handles the ends', () => {
  const s = Float64Array.from([1, 2, 3]);
  assert.equal(quantileSorted(s, 0), 1);
  assert.equal(quantileSorted(s, 1), 3);
  assert.equal(quantileSorted(s, 2), 3);
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
});

test('1e6 samples agree with a reference computation and are fast', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const samples = Array.from({ length: 1_000_000 }, () => -Math.log(1 - rand()) * 50);
  const started = performance.now();
  const d = describe(samples);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 3000, `describe took ${elapsed} ms`);
  // Reference: numpy's definition written out independently, (1 - g) * x[j] + g * x[j + 1].
  const ref = [...samples].sort((a, b) => a - b);
  const refQ = (q: number): number => {
    const h = (ref.length - 1) * q;
    const j = Math.floor(h);
    const g = h - j;
    return (1 - g) * ref[j]! + g * ref[Math.min(j + 1, ref.length - 1)]!;
  };
  close(d.p50, refQ(0.5), 1e-9);
  close(d.p99, refQ(0.99), 1e-9);
  close(d.p999, refQ(0.999), 1e-9);
  close(d.mean, samples.reduce((a, b) => a + b, 0) / samples.length, 1e-9);
});
