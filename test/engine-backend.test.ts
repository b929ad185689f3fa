// The embedded engine's two backends: llama.cpp's llama-server (built by the test setup, the default when built)
// and node-llama-cpp in-process. Real engines on loopback, real runs through the CLI.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledLlamaCppSource, findLlamaServer } from '../src/engine/llama-server/binary.js';
import { resolveBackend } from '../src/engine/backend.js';
import { ConfigError } from '../src/config/errors.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inferscope-backend-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the bundled llama.cpp source is found with its commit, read from the bundle header', () => {
  const source = bundledLlamaCppSource();
  assert.ok(source, 'node-llama-cpp ships a source bundle');
  assert.match(source.commit, /^[0-9a-f]{40}$/);
});

test('auto takes llama-server when it is built and node-llama-cpp when it is not; asking for an unbuilt one names the fix', () => {
  const built = findLlamaServer();
  assert.ok(built, 'llama-server is built by the test setup (node scripts/ensure-llama-server.js)');
  assert.deepEqual(resolveBackend('auto'), { backend: 'llama-server', binary: built });
  assert.deepEqual(resolveBackend('node-llama-cpp'), { backend: 'node-llama-cpp' });
  const saved = process.env.INFERSCOPE_CACHE_DIR;
  process.env.INFERSCOPE_CACHE_DIR = join(dir, 'empty-cache');
  try {
    assert.equal(findLlamaServer(), null);
    assert.deepEqual(resolveBackend('auto'), { backend: 'node-llama-cpp' });
    assert.throws(() => resolveBackend('llama-server'), (err: unknown) => err instanceof ConfigError && err.field === '--engine-backend' && /inferscope build-engine/.test(err.message));
  } finally {
    if (saved === undefined) delete process.env.INFERSCOPE_CACHE_DIR;
    else process.env.INFERSCOPE_CACHE_DIR = saved;
  }
});

const bench = async (name: string, extra: string[]) => {
  const r = await runCli(['bench', '--requests', '12', '--concurrency', '4', '--input-tokens', '48', '--output-tokens', '24', '--no-db', '--json', ...extra], { timeoutMs: 180_000 });
  assert.equal(r.code, 0, `${name}: exit ${r.code}\n${r.stderr}`);
  return { doc: JSON.parse(r.stdout), stderr: r.stderr };
};

test('bench with no --url runs on llama-server by default once it is built: exact outputs, llama.cpp metrics, backend recorded', async () => {
  const { doc } = await bench('default', []);
  assert.equal(doc.run.target.embedded, true);
  assert.equal(doc.run.target.backend, 'llama-server');
  assert.equal(doc.summary.requests.failed, 0, JSON.stringify(doc.summary.errors));
  assert.equal(doc.summary.requests.succeeded, 12);
  // ignore_eos is probed and taken: every answer has exactly the asked length.
  assert.equal(doc.summary.tokens.output.total, 12 * 24);
  assert.deepEqual(doc.server.engines, ['llamacpp']);
  // The server's token counters (cached prompt tokens included) equal the client's totals.
  assert.equal(doc.server.tokens.generation, doc.summary.tokens.output.total);
  assert.equal(doc.server.tokens.prompt, doc.summary.tokens.input.total);
});

test('--engine-backend node-llama-cpp runs the in-process engine with its vLLM-named metrics; a bad name is a usage error', async () => {
  const { doc } = await bench('node', ['--engine-backend', 'node-llama-cpp']);
  assert.equal(doc.run.target.backend, 'node-llama-cpp');
  assert.equal(doc.summary.requests.failed, 0);
  assert.equal(doc.summary.tokens.output.total, 12 * 24);
  assert.deepEqual(doc.server.engines, ['vllm']);
  const bad = await runCli(['bench', '--engine-backend', 'llama-sever', '--no-db']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /llama-server/);
});

test('build-engine --path prints the built binary, and exits 1 with the command to run when there is none', async () => {
  const found = await runCli(['build-engine', '--path']);
  assert.equal(found.code, 0, found.stderr);
  assert.equal(found.stdout.trim(), findLlamaServer());
  const missing = await runCli(['build-engine', '--path'], { env: { INFERSCOPE_CACHE_DIR: join(dir, 'empty-cache') } });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /inferscope build-engine/);
});

test('--prefix-tokens/--prefix-groups: llama-server serves the shared prefixes from its prompt cache', async () => {
  const common = ['--input-tokens', '300', '--output-tokens', '8', '--requests', '24', '--concurrency', '2', '--parallel', '2'];
  const cachedShare = (doc: { server: { tokens: { prompt: number; prompt_cached: number | null } } }): number => (doc.server.tokens.prompt_cached ?? 0) / doc.server.tokens.prompt;
  const plain = await bench('no prefix', common);
  const shared = await bench('prefix', [...common, '--prefix-tokens', '200', '--prefix-groups', '2']);
  assert.equal(shared.doc.summary.requests.failed, 0);
  // Two thirds of every prompt is one of two prefixes: most of it comes from the cache once both were seen.
  assert.ok(cachedShare(shared.doc) > cachedShare(plain.doc) + 0.3, `cached share ${cachedShare(plain.doc).toFixed(2)} -> ${cachedShare(shared.doc).toFixed(2)}`);
  const bad = await runCli(['bench', '--prefix-tokens', '400', '--input-tokens', '300', '--no-db']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--prefix-tokens 400 leaves no room/);
});
