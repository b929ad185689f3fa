import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from './dataset-error.js';
import { detectFormat, loadDataset } from './dataset.js';
import { countTokens } from '../text/tokenizer.js';

async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'inferscope-dataset-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const prompts = Array.from({ length: 20 }, (_, i) => `Question number ${i}: what is ${i} plus ${i}?`);
const jsonl = prompts.map((p, i) => JSON.stringify({ prompt: p, max_tokens: 10 + i })).join('\n');

test('JSONL: in file order without shuffling, cycling past the end, with tokenizer input counts', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'prompts.jsonl');
    await writeFile(path, jsonl);
    const { workload, skipped, warnings } = await loadDataset(path, { skipBadLines: false, shuffle: false });
    assert.equal(skipped, 0);
    assert.deepEqual(warnings, []);
    assert.equal(workload.size, 20);
    assert.equal(workload.name, `jsonl:${path}`);
    for (let i = 0; i < 45; i++) {
      const spec = workload.spec(i);
      assert.equal(spec.prompt, prompts[i % 20]);
      assert.equal(spec.max_tokens, 10 + (i % 20));
      assert.equal(spec.exact_output, false);
      assert.equal(spec.input_tokens, countTokens(prompts[i % 20] ?? ''));
    }
  });
});

test('shuffled order is a seeded permutation, the same for the same seed', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'prompts.jsonl');
    await writeFile(path, jsonl);
    const load = async (seed: number) => (await loadDataset(path, { skipBadLines: false, seed })).workload;
    const a = await load(7);
    const b = await load(7);
    const c = await load(8);
    const order = (w: typeof a) => Array.from({ length: 20 }, (_, i) => w.spec(i).prompt);
    assert.deepEqual(order(a), order(b));
    assert.notDeepEqual(order(a), order(c));
    assert.notDeepEqual(order(a), prompts);
    assert.deepEqual([...order(a)].sort(), [...prompts].sort());
    // Each cycle repeats the same order.
    assert.equal(a.spec(23).prompt, a.spec(3).prompt);
  });
});

test('messages entries count the content tokens; exactOutput applies where max_tokens is known', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'chat.jsonl');
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Name three rivers.' },
    ];
    await writeFile(path, `${JSON.stringify({ messages, output_tokens: 40 })}\n${JSON.stringify({ prompt: 'Hi' })}\n`);
    const { workload } = await loadDataset(path, { skipBadLines: false, shuffle: false, exactOutput: true });
    const chat = workload.spec(0);
    assert.deepEqual(chat.messages, messages);
    assert.equal(chat.prompt, undefined);
    assert.equal(chat.input_tokens, countTokens('You are terse.') + countTokens('Name three rivers.'));
    assert.equal(chat.max_tokens, 40);
    assert.equal(chat.exact_output, true);
    const plain = workload.spec(1);
    assert.equal(plain.max_tokens, null);
    assert.equal(plain.exact_output, false);
    // Callers get copies: changing one does not change the next.
    chat.messages?.push({ role: 'user', content: 'extra' });
    assert.equal(workload.spec(0).messages?.length, 2);
  });
});

test('ShareGPT by content: answer length sets max_tokens', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'ShareGPT_V3.json');
    const answer = 'The capital of France is Paris, a city on the Seine.';
    const data = [
      { id: '1', conversations: [{ from: 'human', value: 'What is the capital of France?' }, { from: 'gpt', value: answer }] },
      { id: '2', conversations: [{ from: 'human', value: 'Unanswered' }] },
    ];
    await writeFile(path, JSON.stringify(data));
    assert.equal(await detectFormat(path), 'sharegpt');
    const { workload, skipped, warnings } = await loadDataset(path, { skipBadLines: false });
    assert.equal(workload.size, 1);
    assert.equal(skipped, 1);
    assert.equal(warnings.length, 1);
    const spec = workload.spec(5);
    assert.equal(spec.prompt, 'What is the capital of France?');
    assert.equal(spec.max_tokens, countTokens(answer));
    assert.equal(spec.input_tokens, countTokens('What is the capital of France?'));
  });
});

test('format detection: extension first, then the first character', async () => {
  await inTempDir(async (dir) => {
    const write = async (name: string, content: string) => {
      const p = join(dir, name);
      await writeFile(p, content);
      return p;
    };
    assert.equal(await detectFormat(await write('a.jsonl', '[]')), 'jsonl');
    assert.equal(await detectFormat(await write('b.ndjson', '{}')), 'jsonl');
    assert.equal(await detectFormat(await write('c.json', '\uFEFF\n  [{"conversations": []}]')), 'sharegpt');
    assert.equal(await detectFormat(await write('d.json', '{"prompt": "x"}\n')), 'jsonl');
    assert.equal(await detectFormat(await write('e.txt', '{"prompt": "x"}\n')), 'jsonl');
    // An explicit format wins over the extension.
    const forced = await write('f.jsonl', JSON.stringify([{ conversations: [{ from: 'human', value: 'q' }, { from: 'gpt', value: 'a' }] }]));
    const { workload } = await loadDataset(forced, { skipBadLines: false, format: 'sharegpt' });
    assert.equal(workload.spec(0).prompt, 'q');
  });
});

test('bad lines: error with line number, or skipped with a count', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'prompts.jsonl');
    const lines = jsonl.split('\n');
    lines.splice(16, 0, '{"prompt": "unterminated');
    await writeFile(path, lines.join('\n'));
    await assert.rejects(loadDataset(path, { skipBadLines: false }), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.match(err.message, /prompts\.jsonl:17: invalid JSON: /);
      return true;
    });
    const { workload, skipped } = await loadDataset(path, { skipBadLines: true });
    assert.equal(skipped, 1);
    assert.equal(workload.size, 20);
  });
});

test('empty, unusable and missing files give clear errors', async () => {
  await inTempDir(async (dir) => {
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    await assert.rejects(loadDataset(empty, { skipBadLines: false }), { message: `${empty}: dataset is empty` });
    const blank = join(dir, 'blank.jsonl');
    await writeFile(blank, '\n\n  \n');
    await assert.rejects(loadDataset(blank, { skipBadLines: false }), /blank\.jsonl: no usable entries; expected one JSON object per line/);
    const allBad = join(dir, 'bad.jsonl');
    await writeFile(allBad, 'x\ny\n');
    await assert.rejects(loadDataset(allBad, { skipBadLines: true }), /bad\.jsonl: no usable entries \(2 records skipped\)/);
    const emptyArray = join(dir, 'sg.json');
    await writeFile(emptyArray, '[]');
    await assert.rejects(loadDataset(emptyArray, { skipBadLines: false }), /sg\.json: no usable entries; expected a JSON array/);
    const missing = join(dir, 'missing.jsonl');
    await assert.rejects(loadDataset(missing, { skipBadLines: false }), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.match(err.message, /missing\.jsonl: cannot read: ENOENT/);
      return true;
    });
    await assert.rejects(loadDataset(dir, { skipBadLines: false }), /cannot read: not a regular file/);
  });
});

test('warm precomputes token counts within its budget', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'many.jsonl');
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ prompt: `Prompt ${i} about rivers, maps and bread.` }));
    await writeFile(path, lines.join('\n'));
    const { workload } = await loadDataset(path, { skipBadLines: false, warmBudgetMs: 0 });
    assert.equal(workload.warm(0), 0);
    assert.equal(workload.warm(10_000), 3000);
    assert.equal(workload.spec(2999).input_tokens > 0, true);
  });
});
