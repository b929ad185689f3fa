import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark } from '../src/index.js';
import { startTimingServer, type TimingServer } from './support/timing-server.js';

let server: TimingServer;
before(async () => {
  server = await startTimingServer({ behavior: { outputTokens: 3 } });
});
after(() => server.close());

/** The user contents of the measured requests of one run, by request order of their excerpt numbers. */
async function prompts(options: Record<string, unknown>): Promise<string[]> {
  const before = server.requests.length;
  const { records } = await runBenchmark({ url: server.url, model: 'test-model', requests: 6, concurrency: 1, outputTokens: '3', inputTokens: '20:60', scrape: false, probe: false, ...options });
  assert.equal(records.filter((r) => r.ok).length, 6);
  return server.requests
    .slice(before)
    .filter((q) => q.path === '/v1/chat/completions')
    .map((q) => (q.body as { messages: Array<{ content: string }> }).messages[0]!.content);
}

test('each run opens its prompts with its own nonce; the rest (and the lengths) are the seed\'s', async () => {
  const a = await prompts({});
  const b = await prompts({});
  const nonce = /^Run (\d{6}):\n/;
  assert.ok(a.every((p) => nonce.test(p)) && b.every((p) => nonce.test(p)));
  assert.notEqual(nonce.exec(a[0]!)![1], nonce.exec(b[0]!)![1], 'a new nonce per run');
  assert.deepEqual(a.map((p) => p.replace(nonce, '')), b.map((p) => p.replace(nonce, '')));
});

test('--reuse-prompts: two runs send identical prompts', async () => {
  const a = await prompts({ reusePrompts: true });
  const b = await prompts({ reusePrompts: true });
  assert.deepEqual(a, b);
  assert.ok(a.every((p) => p.startsWith('Excerpt ')));
});

test('dataset prompts get the nonce before their first message', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'inferscope-nonce-')), 'd.jsonl');
  writeFileSync(file, '{"messages": [{"role": "user", "content": "hello"}], "max_tokens": 3}\n');
  const a = await prompts({ dataset: file, inputTokens: undefined });
  assert.match(a[0]!, /^Run \d{6}:\nhello$/);
});
