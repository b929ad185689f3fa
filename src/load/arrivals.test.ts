import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalTimeMs, arrivalTimesMs, createArrivalSchedule, rampedTimeMs, type RateProfile } from './arrivals.js';
import { LoadConfigError } from './errors.js';

function profile(over: Partial<RateProfile> = {}): RateProfile {
  return { kind: 'rate', rate: 50, arrival: 'poisson', burstiness: 1, maxConcurrency: null, rampUpS: 0, ...over };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

function meanAndCv(xs: number[]): { mean: number; cv: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, cv: Math.sqrt(variance) / mean };
}

function countBefore(times: number[], tMs: number): number {
  return times.filter((t) => t < tMs).length;
}

test('constant arrivals are exactly 1000/rate ms apart, starting at 0', () => {
  const times = arrivalTimesMs(profile({ arrival: 'constant', rate: 50 }), 1, 1000);
  assert.equal(times[0], 0);
  assert.equal(times[999], 999 * 20);
  for (const g of gaps(times)) assert.ok(Math.abs(g - 20) < 1e-9, `gap ${g}`);
});

test('the same seed gives the same schedule; another seed a different one', () => {
  for (const arrival of ['poisson', 'gamma'] as const) {
    const p = profile({ arrival, burstiness: 0.5 });
    const a = arrivalTimesMs(p, 7, 500);
    assert.deepEqual(arrivalTimesMs(p, 7, 500), a);
    assert.notDeepEqual(arrivalTimesMs(p, 8, 500), a);
    assert.equal(arrivalTimeMs(p, 7, 321), a[321]);
  }
});

test('times never decrease', () => {
  const times = arrivalTimesMs(profile({ arrival: 'gamma', burstiness: 0.2, rampUpS: 3 }), 3, 5000);
  for (const g of gaps(times)) assert.ok(g >= 0);
});

test('poisson gaps have mean 1000/rate and coefficient of variation ~1', () => {
  const { mean, cv } = meanAndCv(gaps(arrivalTimesMs(profile({ rate: 40 }), 11, 40_001)));
  assert.ok(Math.abs(mean - 25) / 25 < 0.03, `mean gap ${mean}`);
  assert.ok(Math.abs(cv - 1) < 0.05, `cv ${cv}`);
});

test('gamma burstiness sets the gap CV to ~1/sqrt(shape) and keeps the mean rate', () => {
  for (const shape of [0.25, 0.5, 2, 4]) {
    const { mean, cv } = meanAndCv(gaps(arrivalTimesMs(profile({ arrival: 'gamma', burstiness: shape, rate: 20 }), 5, 40_001)));
    const expectedCv = 1 / Math.sqrt(shape);
    assert.ok(Math.abs(mean - 50) / 50 < 0.04, `shape ${shape}: mean gap ${mean}`);
    assert.ok(Math.abs(cv - expectedCv) / expectedCv < 0.08, `shape ${shape}: cv ${cv}, expected ${expectedCv}`);
  }
});

test('a linear ramp integrates the rate: counts follow rate*t^2/(2R), then the full rate', () => {
  // rate 100/s, ramp 10 s: 125 arrivals by 5 s, 500 by 10 s, 1500 by 20 s (the one at t=0 adds 1).
  const times = arrivalTimesMs(profile({ arrival: 'constant', rate: 100, rampUpS: 10 }), 1, 3000);
  assert.ok(Math.abs(countBefore(times, 5000) - 126) <= 1, `by 5 s: ${countBefore(times, 5000)}`);
  assert.ok(Math.abs(countBefore(times, 10_000) - 501) <= 1, `by 10 s: ${countBefore(times, 10_000)}`);
  assert.ok(Math.abs(countBefore(times, 20_000) - 1501) <= 1, `by 20 s: ${countBefore(times, 20_000)}`);
  // After the ramp, the spacing is the full-rate spacing.
  const after = gaps(times.filter((t) => t > 11_000).slice(0, 100));
  for (const g of after) assert.ok(Math.abs(g - 10) < 1e-6);
});

test('a poisson ramp lands within Poisson bounds of the integrated rate', () => {
  const times = arrivalTimesMs(profile({ rate: 100, rampUpS: 10 }), 21, 3000);
  // Expected 500 by 10 s; sd ~22, allow 4 sd.
  const n = countBefore(times, 10_000);
  assert.ok(Math.abs(n - 500) < 90, `by 10 s: ${n}`);
});

test('rampedTimeMs is continuous at the end of the ramp', () => {
  assert.ok(Math.abs(rampedTimeMs(4999.999, 10_000) - rampedTimeMs(5000, 10_000)) < 0.01);
  assert.equal(rampedTimeMs(123, 0), 123);
});

test('bad profiles are rejected with the field named', () => {
  const cases: [Partial<RateProfile>, string][] = [
    [{ rate: 0 }, 'profile.rate'],
    [{ rate: Number.NaN }, 'profile.rate'],
    [{ arrival: 'gamma', burstiness: 0 }, 'profile.burstiness'],
    [{ rampUpS: -1 }, 'profile.rampUpS'],
    [{ maxConcurrency: 0 }, 'profile.maxConcurrency'],
  ];
  for (const [over, field] of cases) {
    assert.throws(() => createArrivalSchedule(profile(over), 1), (err: unknown) => {
      return err instanceof LoadConfigError && err.field === field;
    });
  }
});
