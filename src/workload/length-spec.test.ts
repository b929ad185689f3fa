import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config/errors.js';
import { createRng } from '../util/rng.js';
import { fixedLength, parseLengthSpec } from './length-spec.js';

test('N is a fixed length', () => {
  const d = parseLengthSpec(' 512 ', '--input-tokens');
  assert.equal(d.kind, 'fixed');
  assert.equal(d.min, 512);
  assert.equal(d.max, 512);
  assert.equal(d.sample(createRng(1)), 512);
  assert.equal(fixedLength(7).sample(createRng(1)), 7);
});

test('MIN:MAX samples uniform integers covering both ends', () => {
  const d = parseLengthSpec('10:14', '--output-tokens');
  assert.equal(d.kind, 'uniform');
  const rng = createRng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = d.sample(rng);
    assert.ok(Number.isInteger(v) && v >= 10 && v <= 14, `out of range: ${v}`);
    seen.add(v);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [10, 11, 12, 13, 14]);
  assert.equal(parseLengthSpec('5:5', 'x').sample(rng), 5);
});

test('MEAN,STDDEV samples a rounded normal with mean near MEAN, at least 1', () => {
  const d = parseLengthSpec('500,50', '--input-tokens');
  assert.equal(d.kind, 'normal');
  assert.equal(d.min, 1);
  assert.equal(d.max, 10_000_000);
  const rng = createRng(5);
  let sum = 0;
  let sumSq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const v = d.sample(rng);
    assert.ok(Number.isInteger(v) && v >= 1);
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  const sd = Math.sqrt(sumSq / n - mean * mean);
  assert.ok(Math.abs(mean - 500) < 3, `mean ${mean}`);
  assert.ok(Math.abs(sd - 50) < 3, `stddev ${sd}`);
  // A wide normal near zero is clamped to the default minimum of 1.
  const low = parseLengthSpec('2,100', 'x');
  for (let i = 0; i < 1000; i++) assert.ok(low.sample(rng) >= 1);
});

test('MEAN,STDDEV,MIN,MAX clamps to the bounds', () => {
  const d = parseLengthSpec('100, 80.5, 60, 140', '--input-tokens');
  assert.equal(d.kind, 'normal');
  assert.equal(d.min, 60);
  assert.equal(d.max, 140);
  const rng = createRng(9);
  const seen = new Set<number>();
  for (let i = 0; i < 5000; i++) {
    const v = d.sample(rng);
    assert.ok(v >= 60 && v <= 140, `out of bounds: ${v}`);
    seen.add(v);
  }
  assert.ok(seen.has(60) && seen.has(140), 'both clamps are reached');
  assert.equal(parseLengthSpec('100,0', 'x').sample(rng), 100);
});

test('sampling is deterministic for a seed', () => {
  const d = parseLengthSpec('300,100,1,1000', 'x');
  const a = createRng(42);
  const b = createRng(42);
  for (let i = 0; i < 100; i++) assert.equal(d.sample(a), d.sample(b));
});

test('bad specs throw ConfigError naming the field and the allowed forms', () => {
  const bad = ['abc', '', '0', '-5', '1.5', '10:', ':10', '20:10', '1:2:3', '100,', '100,x', '0,10', '100,10,5', '100,10,50,20', '100,10,0,20', 'ten'];
  for (const text of bad) {
    assert.throws(
      () => parseLengthSpec(text, '--input-tokens'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, `${text}: ${String(err)}`);
        assert.equal(err.field, '--input-tokens');
        assert.ok(err.message.startsWith(`--input-tokens: "${text}" is not a length`), err.message);
        assert.ok(err.message.endsWith('use N, MIN:MAX or MEAN,STDDEV[,MIN,MAX]'), err.message);
        return true;
      },
    );
  }
  assert.throws(() => parseLengthSpec('abc', '--input-tokens'), {
    message: '--input-tokens: "abc" is not a length; use N, MIN:MAX or MEAN,STDDEV[,MIN,MAX]',
  });
  assert.match(String(catchMessage(() => parseLengthSpec('20:10', '--output-tokens'))), /MIN 20 is greater than MAX 10/);
});

function catchMessage(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}
