import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKENIZER_NAME, countTokens, decode, encode, encodePieces } from './tokenizer.js';

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
