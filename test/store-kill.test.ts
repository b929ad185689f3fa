// test-lane: timing (checks timing against real servers; runs alone)
/**
 * A writer process killed with SIGKILL mid-run: the run reads back as interrupted, with every
 * request the writer had flushed intact and only the buffered ones lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestRecord } from '../src/measure/record.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const storeUrl = new URL('../src/store/sqlite-store.js', import.meta.url).href;
const writerUrl = new URL('../src/store/batch-writer.js', import.meta.url).href;

// The child builds records with the same function; the parent compares them field by field.
const RECORD_SOURCE = `(index) => ({
  index, warmup: false, t_sched: index * 2, t_send: index * 2 + 0.125, t_headers: index * 2 + 1, t_end: index * 2 + 9,
  chunks: [{ t: index * 2 + 3, tokens: 1, reasoning: false }, { t: index * 2 + 8, tokens: 2, reasoning: false }],
  ok: index % 7 !== 3, error: index % 7 === 3 ? { class: 'http_5xx', message: 'upstream ' + index, status: 502 } : null,
  http_status: index % 7 === 3 ? 502 : 200, finish_reason: index % 7 === 3 ? null : 'stop',
  input_tokens: 10 + index, input_tokens_source: 'usage', output_tokens: 3, output_tokens_source: 'usage',
  requested_output_tokens: 3, output_chars: 11,
})`;
const makeRecord = (0, eval)(RECORD_SOURCE) as (index: number) => RequestRecord;

const CHILD_SOURCE = `
import { writeSync } from 'node:fs';
import { openSqliteStore } from ${JSON.stringify(storeUrl)};
import { createRequestWriter } from ${JSON.stringify(writerUrl)};

const [dbPath, mode] = process.argv.slice(2);
const makeRecord = ${RECORD_SOURCE};
const say = (line) => writeSync(1, line + '\\n');
const store = openSqliteStore(dbPath);
const run = await store.createRun({
  config: { mode },
  environment: { tool_version: 'test', host: 'child', target_url: 'http://127.0.0.1:1/v1', model_id: 'none' },
  labels: { test: 'kill' },
});
say('run ' + run.id);
const writer = createRequestWriter(store, run.id, { maxBatch: 16, flushMs: 10, onFlush: (_n, total) => say('flushed ' + total) });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let index = 0;
if (mode === 'block') {
  while (index < 100) { writer.add(makeRecord(index++)); if (index % 10 === 0) await sleep(1); }
  await writer.flush();
  for (let i = 0; i < 5; i++) writer.add(makeRecord(index++));
  say('pending ' + writer.pending);
  // Block the event loop for good: the buffered five can never be written.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
} else {
  for (;;) { writer.add(makeRecord(index++)); if (index % 4 === 0) await sleep(1); }
}
`;

interface Child {
  lines: string[];
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(): Promise<NodeJS.Signals | null>;
}

function startChild(dir: string, dbPath: string, mode: 'block' | 'steady'): Child {
  const script = join(dir, `writer-${mode}.mts`);
  writeFileSync(script, CHILD_SOURCE);
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, mode], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Set<() => void>();
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return {
    lines,
    waitForLine(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = lines.find(predicate);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`child did not report in time; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const onExit = (): void => {
          cleanup();
          reject(new Error(`child exited early; stderr:\n${stderr}`));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async kill() {
      child.kill('SIGKILL');
      // Wait for the exit so the pid is reaped (a zombie would still look alive).
      return exited;
    },
  };
}

function tempDir(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function lastFlushed(lines: readonly string[]): number {
  const counts = lines.filter((l) => l.startsWith('flushed ')).map((l) => Number(l.slice(8)));
  return Math.max(0, ...counts);
}

test('SIGKILL with records buffered: run is interrupted, flushed records intact, buffered lost', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'runs.db');
  const child = startChild(dir, dbPath, 'block');
  const runLine = await child.waitForLine((l) => l.startsWith('run '));
  await child.waitForLine((l) => l === 'pending 5');
  assert.equal(await child.kill(), 'SIGKILL');
  assert.equal(lastFlushed(child.lines), 100);

  const store = openSqliteStore(dbPath);
  t.after(() => store.close());
  const run = await store.getRun(runLine.slice(4));
  assert.equal(run.status, 'interrupted');
  assert.equal(run.finished_at, null);
  assert.equal(run.summary, null);
  assert.equal(run.request_count, 100, 'exactly the flushed records');
  assert.deepEqual(await store.getRequests(run.id), Array.from({ length: 100 }, (_, i) => makeRecord(i)));
  assert.deepEqual((await store.listRuns({ labels: { test: 'kill' } })).map((r) => [r.id, r.status]), [[run.id, 'interrupted']]);
});

test('SIGKILL during steady writes: every committed record is whole and in sequence', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'runs.db');
  const child = startChild(dir, dbPath, 'steady');
  const runLine = await child.waitForLine((l) => l.startsWith('run '));
  await child.waitForLine((l) => l.startsWith('flushed ') && Number(l.slice(8)) >= 200);
  const store = openSqliteStore(dbPath);
  t.after(() => store.close());
  // While the writer lives, a reader in another process sees the run as running (WAL: no blocking).
  const live = await store.getRun(runLine.slice(4));
  assert.equal(live.status, 'running');
  assert.ok(live.request_count >= 200);

  assert.equal(await child.kill(), 'SIGKILL');
  const reported = lastFlushed(child.lines);
  const run = await store.getRun(live.id);
  assert.equal(run.status, 'interrupted');
  const records = await store.getRequests(run.id);
  assert.ok(records.length >= reported, `stored ${records.length} >= reported ${reported}`);
  records.forEach((r, i) => assert.deepEqual(r, makeRecord(i), `record ${i}`));
});
