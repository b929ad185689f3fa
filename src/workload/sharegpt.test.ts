import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DatasetError } from './dataset-error.js';
import { jsonArrayItems } from './json-array-items.js';
import { parseShareGptRecord, readShareGpt } from './sharegpt.js';

async function withFile(name: string, content: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'inferscope-sharegpt-'));
  try {
    const path = join(dir, name);
    await writeFile(path, content);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function items(chunks: string[]) {
  const out = [];
  for await (const item of jsonArrayItems(Readable.from(chunks))) out.push(item);
  return out;
}

test('jsonArrayItems splits elements across arbitrary chunk boundaries with their lines', async () => {
  const text = '[\n {"a": "x,]}[\\"y"},\n {"b": [1, {"c": 2}]},\n 3, "s", null\n]\n';
  const whole = await items([text]);
  assert.deepEqual(whole.map((i) => JSON.parse(i.text)), [{ a: 'x,]}["y' }, { b: [1, { c: 2 }] }, 3, 's', null]);
  assert.deepEqual(whole.map((i) => i.line), [2, 3, 4, 4, 4]);
  const oneByOne = await items(text.split(''));
  assert.deepEqual(oneByOne, whole);
  assert.deepEqual(await items(['[]']), []);
});

test('jsonArrayItems rejects what is not one array', async () => {
  await assert.rejects(items(['{"a": 1}']), /expected a JSON array/);
  await assert.rejects(items(['[{"a": 1},\n']), /unexpected end of file/);
  await assert.rejects(items(['[1] x']), /unexpected text after/);
  await assert.rejects(items(['[1,]']), /trailing comma/);
  await assert.rejects(items(['   ']), /file is empty/);
  await assert.rejects(items(['[{"a": [1}]']), /unexpected "}"/);
});

test('ShareGPT variants: from/value, role/content, id, messages key', () => {
  const expected = { prompt: 'What is 2+2?', maxTokens: null, answer: 'Four.', turns: [{ user: 'What is 2+2?', answer: 'Four.' }] };
  assert.deepEqual(
    parseShareGptRecord({ conversations: [{ from: 'human', value: 'What is 2+2?' }, { from: 'gpt', value: 'Four.' }] }),
    expected,
  );
  assert.deepEqual(
    parseShareGptRecord({ id: 'x1', conversations: [{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: 'Four.' }] }),
    expected,
  );
  assert.deepEqual(
    parseShareGptRecord({ messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: 'Four.' }] }),
    expected,
  );
  // The first human turn is the prompt; the whole conversation is kept for --conversations.
  assert.deepEqual(
    parseShareGptRecord({
      conversations: [
        { from: 'Human', value: 'What is 2+2?' },
        { from: 'GPT', value: 'Four.' },
        { from: 'human', value: 'And 3+3?' },
        { from: 'gpt', value: 'Six.' },
      ],
    }),
    { ...expected, turns: [{ user: 'What is 2+2?', answer: 'Four.' }, { user: 'And 3+3?', answer: 'Six.' }] },
  );
});

test('conversations without a human turn followed by an answer are incomplete (null)', () => {
  assert.equal(parseShareGptRecord({ conversations: [] }), null);
  assert.equal(parseShareGptRecord({ conversations: [{ from: 'human', value: 'Hi' }] }), null);
  assert.equal(parseShareGptRecord({ conversations: [{ from: 'gpt', value: 'Hello' }, { from: 'gpt', value: 'Hi' }] }), null);
  assert.equal(parseShareGptRecord({ conversations: [{ from: 'human', value: 'Hi' }, { from: 'human', value: 'Hi?' }] }), null);
  assert.equal(parseShareGptRecord({ conversations: [{ from: 'human', value: ' ' }, { from: 'gpt', value: 'Hi' }] }), null);
  assert.throws(() => parseShareGptRecord({ id: 1 }), /missing "conversations" array/);
  assert.throws(() => parseShareGptRecord({ conversations: [{ value: 'x' }] }), /has no "from" or "role"/);
  assert.throws(() => parseShareGptRecord('text'), /expected a JSON object/);
});

test('readShareGpt reads entries, skips incomplete ones, and names the line of a bad record', async () => {
  const records = [
    { id: 'a', conversations: [{ from: 'human', value: 'Tell me a story.' }, { from: 'gpt', value: 'Once upon a time.' }] },
    { id: 'b', conversations: [{ from: 'gpt', value: 'No question here.' }] },
    { id: 'c', conversations: [{ from: 'human', value: 'Why?' }, { from: 'gpt', value: 'Because.' }] },
  ];
  await withFile('sg.json', JSON.stringify(records, null, 2), async (path) => {
    const read = await readShareGpt(path, { skipBadLines: false });
    assert.deepEqual(read.entries.map((e) => e.prompt), ['Tell me a story.', 'Why?']);
    assert.equal(read.skipped, 1);
    assert.match(read.warnings.join('\n'), /1 conversations without a human turn/);
  });
  const broken = '[\n{"conversations": [{"from": "human", "value": "ok"}, {"from": "gpt", "value": "fine"}]},\n{"conversations": 7},\n{"conversations": [1 2]}\n]';
  await withFile('sg.json', broken, async (path) => {
    await assert.rejects(readShareGpt(path, { skipBadLines: false }), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.equal(err.message, `${path}:3: missing "conversations" array`);
      return true;
    });
    const read = await readShareGpt(path, { skipBadLines: true });
    assert.equal(read.entries.length, 1);
    assert.equal(read.skipped, 2);
    assert.match(read.warnings[1] ?? '', /sg\.json:4: invalid JSON/);
  });
  await withFile('sg.json', '[\n{"conversations": [}\n]', async (path) => {
    // A broken bracket structure cannot be skipped past: later records could not be found reliably.
    await assert.rejects(readShareGpt(path, { skipBadLines: true }), { message: `${path}:2: invalid JSON: unexpected "}"` });
  });
  await withFile('sg.json', '{"not": "an array"}', async (path) => {
    await assert.rejects(readShareGpt(path, { skipBadLines: true }), /sg\.json:1: expected a JSON array of conversations/);
  });
});
