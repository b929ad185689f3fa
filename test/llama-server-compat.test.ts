// Against a real llama.cpp llama-server, built from the source bundled in node-llama-cpp by
// scripts/ensure-llama-server.js (the test command's setup runs it; the build is cached by commit).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureModel } from '../src/engine/model-cache.js';
import { llamaServerBinary, startLlamaServer, type LlamaServer } from './support/llama-server.js';
import { runCli } from './support/cli.js';

let server: LlamaServer;
const dir = mkdtempSync(join(tmpdir(), 'inferscope-llama-server-'));

before(async () => {
  const binary = llamaServerBinary();
  assert.ok(binary, 'llama-server is not built: run `node scripts/ensure-llama-server.js` (npm test does it first)');
  server = await startLlamaServer(binary, { model: await ensureModel('tiny'), parallel: 4 });
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const bench = async (name: string, extra: string[] = []) => {
  const r = await runCli(
    ['bench', '--url', server.url, '--requests', '16', '--concurrency', '4', '--input-tokens', '64', '--output-tokens', '24', '--out', join(dir, name), '--json', ...extra],
    { timeoutMs: 120_000, env: { INFERSCOPE_DB: join(dir, 'runs.db') } },
  );
  assert.equal(r.code, 0, `${name}: exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout);
};

test('llama-server closes the connection after each answer: with the field probe, every request succeeds', async () => {
  const doc = await bench('probed');
  assert.equal(doc.summary.requests.failed, 0, JSON.stringify(doc.summary.errors));
  assert.equal(doc.summary.requests.succeeded, 16);
  assert.deepEqual(doc.server.engines, ['llamacpp']);
});

test('without the probe too: no request fails on a socket the server closed', async () => {
  const doc = await bench('unprobed', ['--no-probe']);
  assert.equal(doc.summary.requests.failed, 0, JSON.stringify(doc.summary.errors));
});

test("llama.cpp's prompt counters: computed plus cached equals the client's count, no false mismatch", async () => {
  const doc = await bench('tokens', ['--scrape-interval', '0.25']);
  const s = doc.server;
  assert.ok(s.tokens.prompt_cached !== null && s.tokens.prompt_cached !== undefined, JSON.stringify(s.tokens));
  assert.equal(s.tokens.prompt, doc.summary.tokens.input.total, JSON.stringify({ server: s.tokens, client: doc.summary.tokens.input }));
  assert.notEqual(s.cross_check?.token_match?.prompt?.match, false, JSON.stringify(s.cross_check));
});

test('prompt caches: identical prompts (--reuse-prompts) hit the cache and compare warns; the default nonce keeps runs apart', async () => {
  const first = await bench('reuse-1', ['--reuse-prompts']);
  const second = await bench('reuse-2', ['--reuse-prompts']);
  const share = (d: { server: { tokens: { prompt: number; prompt_cached: number } } }) => d.server.tokens.prompt_cached / d.server.tokens.prompt;
  assert.ok(share(second) > share(first) + 0.3, `cached share ${share(first)} then ${share(second)}`);
  const cmp = await runCli(['compare', join(dir, 'reuse-1'), join(dir, 'reuse-2'), '--json'], { timeoutMs: 60_000 });
  assert.equal(cmp.code, 0, cmp.stderr);
  const report = JSON.parse(cmp.stdout);
  assert.ok(report.warnings.some((w: { field: string }) => w.field === 'server.prompt_cache'), JSON.stringify(report.warnings));

  const fresh = await bench('nonce');
  assert.ok(share(fresh) < share(second) - 0.3, `with the nonce: cached share ${share(fresh)} vs ${share(second)} reusing prompts`);
});
