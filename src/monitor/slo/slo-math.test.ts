import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attainment, budgetRemaining, burnAlerts, burnRate, countGood, failingKofN, isGood, type Counts } from './slo-math.js';

const slo = { ttftMs: 500, tpotMs: 50, e2eMs: null };

test('a good probe succeeded and met every limit; a one-token answer has no TPOT and meets it', () => {
  assert.equal(isGood({ ok: true, ttftMs: 500, tpotMs: 50, e2eMs: 9e9 }, slo), true);
  assert.equal(isGood({ ok: true, ttftMs: 501, tpotMs: 10, e2eMs: 1 }, slo), false);
  assert.equal(isGood({ ok: true, ttftMs: 100, tpotMs: null, e2eMs: 1 }, slo), true);
  assert.equal(isGood({ ok: false, ttftMs: 1, tpotMs: 1, e2eMs: 1 }, slo), false);
  assert.deepEqual(countGood([{ ok: true, ttftMs: 1, tpotMs: 1, e2eMs: 1 }, { ok: true, ttftMs: 900, tpotMs: 1, e2eMs: 1 }], slo), { total: 2, good: 1 });
});

test('attainment, burn rate and budget left, exactly', () => {
  const c = { total: 1000, good: 990 };
  assert.equal(attainment(c), 0.99);
  assert.ok(Math.abs(burnRate(c, 0.99)! - 1) < 1e-12, 'spending the budget exactly');
  assert.ok(Math.abs(budgetRemaining(c, 0.99)! - 0) < 1e-12);
  assert.ok(Math.abs(burnRate({ total: 100, good: 90 }, 0.99)! - 10) < 1e-12);
  assert.ok(Math.abs(budgetRemaining({ total: 100, good: 90 }, 0.99)! + 9) < 1e-12, 'overspent: negative');
  assert.equal(burnRate({ total: 0, good: 0 }, 0.99), null);
  assert.equal(attainment({ total: 0, good: 0 }), null);
});

test('multi-window burn alerts: both windows of a pair above the factor, with enough probes', () => {
  const at = (bad: number, total = 1000): Counts => ({ total, good: total - bad });
  // 15% bad at a 99% objective burns 15x: page needs 1 h and 5 min above 14.4x.
  assert.deepEqual(burnAlerts({ '5m': at(150), '30m': at(150), '1h': at(150), '6h': at(150) }, 0.99, 10), { page: true, ticket: true });
  // A short spike (5 min at 20x) with a calm hour: no page.
  assert.deepEqual(burnAlerts({ '5m': at(200), '30m': at(30), '1h': at(20), '6h': at(10) }, 0.99, 10), { page: false, ticket: false });
  // 7x over 6 h and 30 min: a ticket, not a page.
  assert.deepEqual(burnAlerts({ '5m': at(70), '30m': at(70), '1h': at(70), '6h': at(70) }, 0.99, 10), { page: false, ticket: true });
  // Too few probes in the long window: nothing fires yet.
  assert.deepEqual(burnAlerts({ '5m': at(5, 5), '30m': at(5, 5), '1h': at(5, 5), '6h': at(5, 5) }, 0.99, 10), { page: false, ticket: false });
});

test('k of the last n probes failed', () => {
  assert.equal(failingKofN([true, false, false, true, false], 3, 5), true);
  assert.equal(failingKofN([false, false, false, true, true, true], 3, 5), false, 'only the last n count');
  assert.equal(failingKofN([false, false], 3, 5), false);
});
