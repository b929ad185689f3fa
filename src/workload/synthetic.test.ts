import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCorpusIndex, corpusIndex, sliceCorpus } from './corpus-index.js';
import { CORPUS_TEXT } from './corpus.js';
import { fixedLength, parseLengthSpec } from './length-spec.js';
import { createSyntheticWorkload } from './synthetic.js';
import { countTokens, encode } from '../text/tokenizer.js';

const fixed = (n: number) => fixedLength(n);

test('the corpus is a few thousand words of ASCII prose that tiles without token merges', () => {
  assert.ok(CORPUS_TEXT.split(/\s+/).length > 3000);
  const index = corpusIndex();
  assert.ok(index.size > 3500);
  assert.equal(encode(CORPUS_TEXT + CORPUS_TEXT).length, 2 * index.size);
  assert.equal(sliceCorpus(index, 0, index.size), CORPUS_TEXT);
  assert.equal(sliceCorpus(index, 5, 2 * index.size), CORPUS_TEXT.slice(index.charStart[5]) + CORPUS_TEXT + CORPUS_TEXT.slice(0, index.charStart[5]));
  assert.throws(() => buildCorpusIndex('caf\u00e9\n\n'), /ASCII/);
});

for (const target of [1, 5, 10, 100, 1000, 4000, 9000]) {
  test(`synthetic prompts of ${target} tokens count exactly ${target} with the client tokenizer`, () => {
    const w = createSyntheticWorkload({ inputTokens: fixed(target), outputTokens: null, seed: 11, exactOutput: false });
    const n = target >= 4000 ? 40 : 200;
    for (let i = 0; i < n; i++) {
      const spec = w.spec(i);
      assert.equal(spec.input_tokens, target);
      assert.equal(countTokens(spec.prompt ?? ''), target, `index ${i}: ${JSON.stringify(spec.prompt?.slice(0, 60))}`);
    }
  });
}

test('a shared prefix is counted in the length and kept verbatim at the start', () => {
  const prefix = 'You are a careful assistant. Answer briefly.';
  const w = createSyntheticWorkload({ inputTokens: fixed(300), outputTokens: null, seed: 2, exactOutput: false, prefix });
  for (let i = 0; i < 100; i++) {
    const spec = w.spec(i);
    assert.ok(spec.prompt?.startsWith(`${prefix}\nExcerpt ${i} (`), spec.prompt?.slice(0, 80));
    assert.equal(countTokens(spec.prompt ?? ''), 300);
  }
  // A prefix longer than the target is sent whole and reported at its real length.
  const long = createSyntheticWorkload({ inputTokens: fixed(3), outputTokens: null, seed: 2, exactOutput: false, prefix });
  assert.equal(long.spec(0).input_tokens, countTokens(`${prefix}\n`));
});

test('prompts open with a line unique to the index, then real English text', () => {
  const w = createSyntheticWorkload({ inputTokens: fixed(200), outputTokens: null, seed: 5, exactOutput: false });
  const firstLines = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const prompt = w.spec(i).prompt ?? '';
    const [first = '', body = ''] = prompt.split('\n', 2);
    assert.match(first, new RegExp(`^Excerpt ${i} \\([0-9a-z]{4}\\):$`));
    firstLines.add(first);
    assert.match(body, /^ [A-Za-z]+/);
  }
  assert.equal(firstLines.size, 500);
  assert.match(w.spec(0).prompt ?? '', /\b(the|and|of)\b/);
});

test('spec(i) is deterministic, random-access and seed-dependent', () => {
  const opts = { inputTokens: parseLengthSpec('50:500', 'x'), outputTokens: parseLengthSpec('200,50', 'y'), exactOutput: true };
  const a = createSyntheticWorkload({ ...opts, seed: 1 });
  const b = createSyntheticWorkload({ ...opts, seed: 1 });
  const c = createSyntheticWorkload({ ...opts, seed: 2 });
  const forward = Array.from({ length: 50 }, (_, i) => a.spec(i));
  for (let i = 49; i >= 0; i--) assert.deepEqual(b.spec(i), forward[i]);
  assert.deepEqual(a.spec(1234567), b.spec(1234567));
  assert.notDeepEqual(c.spec(0), a.spec(0));
  const lengths = new Set(forward.map((s) => s.input_tokens));
  assert.ok(lengths.size > 30, 'lengths vary per index');
  assert.equal(a.size, Infinity);
  assert.throws(() => a.spec(-1), RangeError);
  assert.throws(() => a.spec(1.5), RangeError);
});

test('max_tokens and exact_output follow the output length', () => {
  const withOut = createSyntheticWorkload({ inputTokens: fixed(20), outputTokens: fixed(64), seed: 0, exactOutput: true });
  assert.equal(withOut.spec(0).max_tokens, 64);
  assert.equal(withOut.spec(0).exact_output, true);
  const notExact = createSyntheticWorkload({ inputTokens: fixed(20), outputTokens: fixed(64), seed: 0, exactOutput: false });
  assert.equal(notExact.spec(0).exact_output, false);
  const serverDecides = createSyntheticWorkload({ inputTokens: fixed(20), outputTokens: null, seed: 0, exactOutput: true });
  assert.equal(serverDecides.spec(0).max_tokens, null);
  assert.equal(serverDecides.spec(0).exact_output, false);
  assert.equal(serverDecides.name, 'synthetic(in=20, out=server)');
});

test('10,000 specs of 1,000 tokens are generated quickly', () => {
  const w = createSyntheticWorkload({ inputTokens: fixed(1000), outputTokens: fixed(100), seed: 3, exactOutput: false });
  w.spec(0);
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) w.spec(i);
  const ms = performance.now() - t0;
  // Typically well under 200 ms; the bound leaves room for a busy machine.
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
});

test('shared-prefix groups: every prompt opens with its group prefix, groups differ, lengths stay exact', () => {
  const w = createSyntheticWorkload({ inputTokens: fixedLength(300), outputTokens: null, seed: 3, exactOutput: false, prefixGroups: { tokens: 200, groups: 3 }, nonce: '123456' });
  const plain = createSyntheticWorkload({ inputTokens: fixedLength(300), outputTokens: null, seed: 3, exactOutput: false, nonce: '123456' });
  const prefixes = new Map<string, number>();
  for (let i = 0; i < 60; i++) {
    const { prompt, input_tokens } = w.spec(i);
    assert.equal(countTokens(prompt!), 300);
    assert.equal(input_tokens, 300);
    assert.ok(prompt!.startsWith('Run 123456:\nContext '), prompt!.slice(0, 40));
    const prefix = prompt!.slice(0, prompt!.indexOf('\nExcerpt ') + 1);
    // The shared part is the nonce line plus about 200 tokens of group prefix.
    const tokens = countTokens(prefix);
    assert.ok(tokens >= 200 && tokens <= 210, `prefix of ${tokens} tokens`);
    prefixes.set(prefix, (prefixes.get(prefix) ?? 0) + 1);
    // Other choices of the seed (the index's own text) are those of the same workload without groups.
    assert.ok(prompt!.includes(plain.spec(i).prompt!.split('\n')[1]!.split(' (')[0]!));
  }
  assert.equal(prefixes.size, 3);
  for (const n of prefixes.values()) assert.ok(n >= 10, `group sizes ${[...prefixes.values()]}`);
});
