import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDurationMs, parseDurationMs } from './duration.js';
import { ConfigError } from './errors.js';

test('parses units to milliseconds', () => {
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('2s'), 2000);
  assert.equal(parseDurationMs('1.5m'), 90_000);
  assert.equal(parseDurationMs('1h'), 3_600_000);
  assert.equal(parseDurationMs('250us'), 0.25);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs(' 0.5s '), 500);
});

test('bare numbers are ms by default, seconds when asked', () => {
  assert.equal(parseDurationMs('750'), 750);
  assert.equal(parseDurationMs(750), 750);
  assert.equal(parseDurationMs('2', { bareUnit: 's' }), 2000);
  assert.equal(parseDurationMs(1.5, { bareUnit: 's' }), 1500);
});

test('rejects bad input with the field and the allowed forms', () => {
  for (const bad of ['', 'fast', '5 sec', '-1s', '1.2.3s', 'ms', '10d', '1s-']) {
    assert.throws(
      () => parseDurationMs(bad, { field: '--timeout' }),
      (err: unknown) => err instanceof ConfigError && err.field === '--timeout' && /500ms/.test(err.message),
      bad,
    );
  }
  assert.throws(() => parseDurationMs(-5), ConfigError);
  assert.throws(() => parseDurationMs(Number.NaN), ConfigError);
});

test('zero is rejected only when asked', () => {
  assert.equal(parseDurationMs('0s'), 0);
  assert.throws(() => parseDurationMs('0s', { allowZero: false }), /greater than zero/);
});

test('formats compactly', () => {
  assert.equal(formatDurationMs(850), '850ms');
  assert.equal(formatDurationMs(2500), '2.5s');
  assert.equal(formatDurationMs(180_000), '3m');
});
