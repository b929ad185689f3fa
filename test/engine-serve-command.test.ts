import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLlamaServer } from '../src/engine/llama-server/binary.js';

/** Runs serveCommand in a child; resolves with its URL once it says where it listens. */
function startServe(options: string, env: NodeJS.ProcessEnv = process.env) {
  const script = `import('./src/engine/serve-command.ts').then((m) => m.serveCommand({ preset: 'tiny', port: 0, host: '127.0.0.1', ${options} }))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stderr: '', stdout: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      out.stderr += d.toString();
      const m = /at (http:\/\/\S+\/v1)/.exec(out.stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out.stderr}`)));
  });
  return { child, out, url };
}

test('serveCommand prints where it listens, serves, and exits cleanly on SIGTERM', async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'engine-serve-'));
  try {
    const { child, out, url: listening } = startServe('parallel: 2', { ...process.env, INFERSCOPE_CACHE_DIR: cacheDir });
    const url = await listening;
    const models = (await (await fetch(`${url}/models`)).json()) as { data: Array<{ id: string }> };
    assert.equal(models.data[0]!.id, 'inferscope-tiny');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out.stderr);
    assert.match(out.stderr, /SIGTERM: stopping/);
    assert.match(out.stderr, /stopped/);
    assert.equal(out.stdout, '', 'progress goes to stderr only');
    // The generated model went to INFERSCOPE_CACHE_DIR/models.
    assert.equal((await readdir(join(cacheDir, 'models'))).filter((f) => f.endsWith('.gguf')).length, 1);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

test('serve on llama-server: the context line is what the engine serves, no warning per banned token, other sites refused', { skip: findLlamaServer() ? false : 'llama-server is not built here' }, async () => {
  const { child, out, url: listening } = startServe("parallel: 2, backend: 'llama-server'");
  try {
    const url = await listening;
    const stderr = out.stderr;
    // The default 8192 is capped at the tiny model's training context, as llama-server caps it.
    assert.match(stderr, /on llama-server \(parallel 2, context 2048 tokens per sequence\)/);
    assert.doesNotMatch(stderr, /specified multiple times|CORS is set to allow all origins|exceeds the training context/);
    const preflight = (origin: string) => fetch(`${url}/chat/completions`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin'), null);
    assert.equal((await preflight('http://localhost:3000')).headers.get('access-control-allow-origin'), 'http://localhost:3000');
    // Every banned token still applies (one flag each): chat answers parse, a long completion stays printable.
    const res = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }], max_tokens: 300, ignore_eos: true }) });
    assert.equal(res.status, 200, await res.clone().text());
    const text = ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
    assert.match(text, /^[\t\n\x20-\x7e]*$/);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});
