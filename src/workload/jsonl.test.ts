import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from './dataset-error.js';
import { parseJsonlLine, readJsonl } from './jsonl.js';

async function withFile(name: string, content: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'inferscope-jsonl-'));
  try {
    const path = join(dir, name);
    await writeFile(path, content);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('prompt and messages lines, with max_tokens or output_tokens', () => {
  assert.deepEqual(parseJsonlLine('{"prompt": "Hi there", "max_tokens": 32}'), { prompt: 'Hi there', maxTokens: 32 });
  assert.deepEqual(parseJsonlLine('{"prompt": "Hi", "output_tokens": 8}'), { prompt: 'Hi', maxTokens: 8 });
  assert.deepEqual(parseJsonlLine('{"prompt": "Hi", "max_tokens": null}'), { prompt: 'Hi', maxTokens: null });
  assert.deepEqual(
    parseJsonlLine('{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hello"}]}]}'),
    { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }], maxTokens: null },
  );
  assert.deepEqual(parseJsonlLine('{"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}'), {
    prompt: 'Q',
    maxTokens: null,
    answer: 'A',
    turns: [{ user: 'Q', answer: 'A' }],
  });
});

test('malformed lines give the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"prompt": "x"', /^invalid JSON: /],
    ['[1, 2]', /^expected a JSON object$/],
    ['{"text": "x"}', /^missing "prompt" or "messages"$/],
    ['{"prompt": ""}', /"prompt" must be a non-empty string/],
    ['{"prompt": 5}', /"prompt" must be a non-empty string/],
    ['{"prompt": "x", "max_tokens": 0}', /"max_tokens" must be a whole number >= 1, got 0/],
    ['{"prompt": "x", "output_tokens": "many"}', /"output_tokens" must be a whole number >= 1/],
    ['{"messages": []}', /"messages" must be a non-empty array/],
    ['{"messages": [{"content": "x"}]}', /"messages\[0\]" must be an object with a string "role"/],
    ['{"messages": [{"role": "user", "content": 3}]}', /"messages\[0\].content" must be a string/],
  ];
  for (const [line, reason] of cases) assert.throws(() => parseJsonlLine(line), { message: reason }, line);
});

test('a bad line fails with file and line number', async () => {
  const content = ['{"prompt": "one"}', '', '{"prompt": "three"}', '{"prompt": oops}', '{"prompt": "five"}'].join('\n');
  await withFile('prompts.jsonl', content, async (path) => {
    await assert.rejects(readJsonl(path, { skipBadLines: false }), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.equal(err.file, path);
      assert.equal(err.line, 4);
      assert.ok(err.message.startsWith(`${path}:4: invalid JSON: `), err.message);
      assert.ok(err.cause instanceof SyntaxError);
      return true;
    });
  });
  await withFile('prompts.jsonl', '{"prompt": "a"}\r\n{"max_tokens": 3}\r\n', async (path) => {
    await assert.rejects(readJsonl(path, { skipBadLines: false }), {
      message: `${path}:2: missing "prompt" or "messages"`,
    });
  });
});

test('skipBadLines skips and counts bad lines and lists the first few', async () => {
  const lines = ['\uFEFF{"prompt": "first"}'];
  for (let i = 0; i < 8; i++) lines.push('not json');
  lines.push('{"prompt": "last", "max_tokens": 5}', '   ', '');
  await withFile('mixed.jsonl', lines.join('\n'), async (path) => {
    const read = await readJsonl(path, { skipBadLines: true });
    assert.deepEqual(read.entries, [
      { prompt: 'first', maxTokens: null },
      { prompt: 'last', maxTokens: 5 },
    ]);
    assert.equal(read.skipped, 8);
    assert.equal(read.warnings.length, 6);
    assert.match(read.warnings[0] ?? '', /mixed\.jsonl:2: invalid JSON: .* \(skipped\)$/);
    assert.match(read.warnings[5] ?? '', /3 more bad lines skipped/);
  });
});
