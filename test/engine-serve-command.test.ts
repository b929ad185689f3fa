import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('serveCommand prints where it listens, serves, and exits cleanly on SIGTERM', async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'engine-serve-'));
  try {
    const script = `import('./src/engine/serve-command.ts').then((m) => m.serveCommand({ preset: 'tiny', port: 0, host: '127.0.0.1', parallel: 2 }))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, INFERSCOPE_CACHE_DIR: cacheDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /at (http:\/\/\S+\/v1)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
    });
    const models = (await (await fetch(`${url}/models`)).json()) as { data: Array<{ id: string }> };
    assert.equal(models.data[0]!.id, 'inferscope-tiny');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM: stopping/);
    assert.match(stderr, /stopped/);
    assert.equal(stdout, '', 'progress goes to stderr only');
    // The generated model went to INFERSCOPE_CACHE_DIR/models.
    assert.equal((await readdir(join(cacheDir, 'models'))).filter((f) => f.endsWith('.gguf')).length, 1);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});
