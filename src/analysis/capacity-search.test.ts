import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchCapacity } from './capacity-search.js';

/** A server whose attainment is 1 up to `cap` and 0 above it. */
const stepAt = (cap: number) => {
  const loads: number[] = [];
  const measure = async (load: number) => {
    loads.push(load);
    return { attainment: load <= cap ? 1 : 0.5, step: loads.length - 1 };
  };
  return { loads, measure };
};

test('rate: doubles up to a failure, then bisects to within the tolerance', async () => {
  const s = stepAt(38.5);
  const a = await searchCapacity({ axis: 'rate', start: 5, attainment: 0.99, tolerance: 0.05, maxProbes: 20 }, s.measure);
  assert.deepEqual(s.loads.slice(0, 5), [5, 10, 20, 40, 30]);
  assert.equal(a.stopped_by, 'converged');
  const [lo, hi] = a.bracket as [number, number];
  assert.ok(lo <= 38.5 && hi > 38.5 && (hi - lo) / lo <= 0.05, `bracket ${lo}-${hi}`);
  assert.equal(a.value, lo);
  assert.ok(a.probes.every((p) => p.pass === p.load <= 38.5));
});

test('rate: a failing start halves down; nothing passing gives no answer', async () => {
  const s = stepAt(3);
  const a = await searchCapacity({ axis: 'rate', start: 20, attainment: 0.9, tolerance: 0.1, maxProbes: 20 }, s.measure);
  assert.deepEqual(s.loads.slice(0, 4), [20, 10, 5, 2.5]);
  assert.ok(a.value! <= 3 && a.value! >= 3 / 1.1);
  const none = await searchCapacity({ axis: 'rate', start: 1, attainment: 0.9, tolerance: 0.1, maxProbes: 50 }, async (load) => ({ attainment: 0, step: load }));
  assert.equal(none.value, null);
  assert.equal(none.stopped_by, 'no_passing_load');
});

test('concurrency: integers only, stops at adjacent values', async () => {
  const s = stepAt(11);
  const a = await searchCapacity({ axis: 'concurrency', start: 1, attainment: 0.99, tolerance: 0.01, maxProbes: 20 }, s.measure);
  assert.ok(s.loads.every(Number.isInteger));
  assert.deepEqual(a.bracket, [11, 12]);
  assert.equal(a.value, 11);
});

test('the probe budget and a stop are honoured; a step without an attainment fails', async () => {
  const s = stepAt(1000);
  const a = await searchCapacity({ axis: 'rate', start: 1, attainment: 0.99, tolerance: 0.05, maxProbes: 4 }, s.measure);
  assert.equal(a.stopped_by, 'max_probes');
  assert.equal(a.probes.length, 4);
  assert.deepEqual(a.bracket, [8, null]);
  let n = 0;
  const stopped = await searchCapacity({ axis: 'rate', start: 1, attainment: 0.99, tolerance: 0.05, maxProbes: 9 }, async () => (n++ < 2 ? { attainment: 1, step: n } : null));
  assert.equal(stopped.stopped_by, 'stopped');
  assert.equal(stopped.value, 2);
  const blank = await searchCapacity({ axis: 'rate', start: 1, attainment: 0.5, tolerance: 0.05, maxProbes: 1 }, async () => ({ attainment: null, step: 0 }));
  assert.equal(blank.probes[0]!.pass, false);
});
