import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RUN_CHARS, TOKENIZER_NAME, countTokens, decode, encode, encodePieces } from './tokenizer.js';

test('tokenizer is o200k_base and round-trips text', () => {
  assert.equal(TOKENIZER_NAME, 'o200k_base');
  const text = 'The quick brown fox jumps over the lazy dog. Numbers 12345 and punctuation!?';
  assert.equal(decode(encode(text)), text);
  assert.equal(countTokens(text), encode(text).length);
  assert.deepEqual(encode('hello world'), [24912, 2375]);
});

test('empty text has no tokens', () => {
  assert.equal(countTokens(''), 0);
  assert.deepEqual(encode(''), []);
});

test('special-token strings in data count as plain text instead of throwing', () => {
  const text = 'before <|endoftext|> after';
  assert.ok(countTokens(text) > 3);
  assert.equal(decode(encode(text)), text);
});

test('encodePieces groups tokens by pre-token and concatenates to encode()', () => {
  const text = 'An antidisestablishmentarian said: "don\'t".\n\nNext paragraph.';
  const pieces = encodePieces(text);
  assert.deepEqual(pieces.flat(), encode(text));
  assert.ok(pieces.some((p) => p.length > 1), 'a long word spans several tokens in one piece');
});

test('counting is linear on runs without whitespace (a 1 MB line no longer hangs), and exact on ordinary text', () => {
  const timeIt = (n: number): number => {
    const s = 'x'.repeat(n);
    const t0 = performance.now();
    assert.ok(countTokens(s) >= n / 8);
    return performance.now() - t0;
  };
  timeIt(10_000);
  // Best of three: a busy machine (tests run two at a time) pauses single runs, never all three.
  const best = (n: number): number => Math.min(timeIt(n), timeIt(n), timeIt(n));
  const small = best(100_000);
  const big = best(1_000_000);
  // Quadratic counting took 3.5 s for 80,000 characters (it would take minutes here); generous bounds.
  assert.ok(big < 5_000, `1 MB without spaces took ${big.toFixed(0)} ms`);
  assert.ok(big < 40 * Math.max(small, 10), `10x the text took ${(big / small).toFixed(1)}x the time`);
  const prose = 'The quick brown fox jumps over the lazy dog, again and again. '.repeat(200);
  assert.equal(countTokens(prose), encode(prose).length);
  const cjk = '这是一个没有空格的中文段落，用来测试分词器的速度和准确性。'.repeat(40);
  assert.ok(Math.abs(countTokens(cjk) - encode(cjk).length) <= cjk.length / MAX_RUN_CHARS + 1);
});
