// test-lane: timing (checks timing against real servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from './support/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test("the README's main command benchmarks the embedded engine and prints a summary", async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const line = readme.split('\n').find((l) => l.includes('npx inferscope bench') && l.includes('npm install'));
  assert.ok(line, 'README quick start has the main command');
  // The install half already ran for this checkout; run the rest exactly as written.
  const command = line.split('#')[0]!.split('&&')[1]!.trim();
  assert.equal(command, 'npx inferscope bench');
  const started = performance.now();
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const env = { ...process.env };
    delete env.OPENAI_BASE_URL;
    env.INFERSCOPE_DB = join(mkdtempSync(join(tmpdir(), 'inferscope-readme-')), 'runs.db');
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /completed/);
  assert.match(result.stdout, /TTFT/);
  // llama-server once built (the test setup builds it), else the in-process engine.
  assert.match(result.stdout, /server\s+(llamacpp|vllm)/);
  assert.match(result.stderr, /embedded engine/);
  assert.ok(seconds < 90, `main command took ${seconds.toFixed(1)} s`);
});

test('scraping the embedded engine (node-llama-cpp, vLLM names) during a benchmark: server token deltas equal the client totals', async () => {
  const r = await runCli(['bench', '--requests', '12', '--concurrency', '3', '--input-tokens', '64', '--output-tokens', '24', '--warmup', '2', '--scrape-interval', '0.5', '--json', '--engine-backend', 'node-llama-cpp'], {
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.run.target.embedded, true);
  const s = doc.summary;
  const server = doc.server;
  assert.deepEqual(server.engines, ['vllm']);
  assert.equal(s.requests.succeeded, 12);
  assert.equal(s.tokens.output.total, 12 * 24);
  // Warm-up requests are outside the window on both sides.
  assert.equal(server.tokens.generation, s.tokens.output.total);
  assert.equal(server.tokens.prompt, s.tokens.input.total);
  assert.equal(server.cross_check.token_match.generation.match, true);
  assert.equal(server.finish_reasons.length, 12);
  assert.ok(server.ttft_ms.count === 12);
  assert.ok(server.scrapes.ok >= 2, `scrapes ${server.scrapes.ok}`);
});
