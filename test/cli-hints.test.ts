import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTimingServer } from './support/timing-server.js';
import { BIN, runCli } from './support/cli.js';

test('a URL without /v1 that answers 404 gets a hint to add /v1 (exit 2 at start-up, exit 3 when every request 404s)', async (t) => {
  const server = await startTimingServer({ behavior: { outputTokens: 4 }, recordBodies: false });
  t.after(() => server.close());
  const base = server.url.replace(/\/v1$/, '');
  const early = await runCli(['bench', '--url', base, '--requests', '4', '--no-db', '--no-scrape']);
  assert.equal(early.code, 2, early.stderr);
  assert.match(early.stderr, new RegExp(`hint: the URL has no /v1.*--url ${base}/v1`));
  const late = await runCli(['bench', '--url', base, '--model', 'test-model', '--no-probe', '--requests', '4', '--no-db', '--no-scrape']);
  assert.equal(late.code, 3, late.stderr);
  assert.match(late.stderr, /hint: the URL has no \/v1/);
});

test('read commands never create a database: a missing --db is an error (exit 2)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-hints-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'typo.db');
  for (const args of [['runs', 'list'], ['runs', 'show', 'abc'], ['runs', 'export', 'abc']]) {
    const r = await runCli([...args, '--db', db]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /no run database at/);
  }
  assert.equal(existsSync(db), false);
});

test('a reader that closes the pipe early (runs export | head) ends the command quietly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-epipe-'));
  const server = await startTimingServer({ behavior: { outputTokens: 64 }, recordBodies: false });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const db = join(dir, 'runs.db');
  const bench = await runCli(['bench', '--url', server.url, '--model', 'test-model', '--requests', '300', '--concurrency', '16', '--output-tokens', '64', '--no-scrape', '--no-probe', '--db', db, '--json']);
  assert.equal(bench.code, 0, bench.stderr);
  const id = JSON.parse(bench.stdout).run.id as string;
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" runs export ${id} --db "${db}" | head -c 100 > /dev/null; echo "status $?" >&2`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.doesNotMatch(result.stderr, /EPIPE|Unhandled|at /);
});
