import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamAccumulator } from './stream-accumulator.js';

const chat = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});

test('token-bearing: content, reasoning_content, reasoning, tool_calls; not role-only or empty', () => {
  const a = new StreamAccumulator();
  a.apply(chat({ role: 'assistant', content: '' }), 1);
  a.apply(chat({ content: 'Hi' }), 2);
  a.apply(chat({ reasoning_content: 'hmm' }), 3);
  a.apply(chat({ reasoning: 'also' }), 4);
  a.apply(chat({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{}' } }] }), 5);
  a.apply(chat({}), 6);
  a.apply({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } }, 7);
  assert.deepEqual(a.chunks.map((c) => [c.t, c.reasoning]), [[2, false], [3, true], [4, true], [5, false]]);
  assert.equal(a.text(), 'Hihmmalsof{}');
  assert.deepEqual(a.finalUsage, { prompt_tokens: 3, completion_tokens: 4 });
});

test('completions text chunks and the last finish_reason', () => {
  const a = new StreamAccumulator();
  a.apply({ choices: [{ index: 0, text: 'a', finish_reason: null }] }, 1);
  a.apply({ choices: [{ index: 0, text: '', finish_reason: 'length' }] }, 2);
  assert.equal(a.chunks.length, 1);
  assert.equal(a.finishReason, 'length');
});

test('per-chunk tokens from cumulative usage, else from logprobs', () => {
  const a = new StreamAccumulator();
  a.apply(chat({ content: 'ab' }, { usage: { completion_tokens: 2 } }), 1);
  a.apply(chat({ content: 'c' }, { usage: { completion_tokens: 3 } }), 2);
  assert.deepEqual(a.chunks.map((c) => c.tokens), [2, 1]);
  assert.equal(a.chunkTokenCount(), 3);
  const b = new StreamAccumulator();
  b.apply({ choices: [{ delta: { content: 'x' }, logprobs: { content: [{}, {}] } }] }, 1);
  assert.equal(b.chunkTokenCount(), 2);
  const c = new StreamAccumulator();
  c.apply(chat({ content: 'x' }), 1);
  assert.equal(c.chunkTokenCount(), null);
});

test('error objects and non-object data are errors', () => {
  const a = new StreamAccumulator();
  assert.deepEqual(a.apply({ error: { message: 'boom' } }, 1), { kind: 'error', message: 'boom' });
  assert.equal(a.apply('text', 1).kind, 'error');
  assert.equal(a.apply({ object: 'unknown-shape' }, 1).kind, 'ok');
});
