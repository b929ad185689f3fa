import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paretoFront } from './pareto.js';
import { findKnee } from './knee.js';
import { parseSweepValues } from './plan.js';

test('Pareto frontier: non-dominated points only, ties kept, missing axes never on it', () => {
  const pts = [
    { x: 100, y: 50 }, // 0: on it (fastest per user)
    { x: 200, y: 40 }, // 1: on it
    { x: 150, y: 30 }, // 2: dominated by 1 (less throughput, slower)
    { x: 300, y: 20 }, // 3: on it
    { x: 300, y: 20 }, // 4: equal to 3: neither dominates
    { x: null, y: 99 }, // 5: missing
    { x: 250, y: Number.NaN }, // 6: not finite
  ];
  assert.deepEqual(paretoFront(pts, 'max'), [0, 1, 3, 4]);
  // Latency (lower is better): 0 (lowest throughput, highest latency) is dominated by 3 only if 3 is lower latency too.
  assert.deepEqual(paretoFront([{ x: 10, y: 100 }, { x: 20, y: 80 }, { x: 30, y: 200 }], 'min'), [1, 2]);
  assert.deepEqual(paretoFront([], 'min'), []);
});

test('knee: the first step where latency grows faster than throughput (and by more than 10%)', () => {
  const steps = [
    { throughput: 10, latency: 100 },
    { throughput: 19, latency: 105 }, // +90% throughput, +5% latency
    { throughput: 30, latency: 120 }, // +58%, +14%
    { throughput: 33, latency: 240 }, // +10%, +100%: knee at step 2
    { throughput: 33, latency: 900 },
  ];
  const knee = findKnee(steps);
  assert.equal(knee?.index, 2);
  assert.ok(Math.abs(knee!.elasticity - 1 / 0.1) < 1e-9);
  assert.equal(findKnee(steps.slice(0, 3)), null, 'latency never outgrew throughput');
  assert.equal(findKnee([{ throughput: 10, latency: 100 }, { throughput: 10, latency: 200 }])?.elasticity, Infinity);
  assert.equal(findKnee([{ throughput: null, latency: 1 }, { throughput: 1, latency: null }]), null);
});

test('sweep values: sorted, whole concurrencies, positive rates, duplicates and junk refused naming the flag', () => {
  assert.deepEqual(parseSweepValues('8, 1,2', 'concurrency', '--concurrency'), [1, 2, 8]);
  assert.deepEqual(parseSweepValues('0.5,2', 'rate', '--rate'), [0.5, 2]);
  assert.throws(() => parseSweepValues('1,2.5', 'concurrency', '--concurrency'), /--concurrency: "2.5" is not a whole number/);
  assert.throws(() => parseSweepValues('1,x', 'rate', '--rate'), /--rate: "x"/);
  assert.throws(() => parseSweepValues('0', 'rate', '--rate'), /--rate/);
  assert.throws(() => parseSweepValues('2,2', 'concurrency', '--concurrency'), /given twice/);
  assert.throws(() => parseSweepValues(' , ', 'concurrency', '--concurrency'), /comma list/);
});
