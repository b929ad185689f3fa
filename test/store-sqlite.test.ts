import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RequestRecord } from '../src/measure/record.js';
import { StoreError } from '../src/store/errors.js';
import { LATEST_SCHEMA_VERSION } from '../src/store/migrations.js';
import { defaultDbPath, openSqliteStore } from '../src/store/sqlite-store.js';
import type { NewRun, RunStore } from '../src/store/types.js';

function tempDb(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'dir', 'runs.db');
}

function openTemp(t: { after: (fn: () => void) => void }): { store: RunStore; path: string } {
  const path = tempDb(t);
  const store = openSqliteStore(path);
  t.after(() => store.close());
  return { store, path };
}

function newRun(target = 'http://127.0.0.1:8000/v1', labels: Record<string, string> = {}): NewRun {
  return {
    config: { profile: 'concurrency', concurrency: 4 },
    environment: { tool_version: '0.1.0', host: 'h', target_url: target, model_id: 'tiny', engine: 'vllm', engine_version: '0.6' },
    labels,
  };
}

function record(index: number, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    index,
    warmup: false,
    t_sched: index * 10,
    t_send: index * 10 + 0.5,
    t_headers: index * 10 + 3,
    t_end: index * 10 + 40,
    chunks: [
      { t: index * 10 + 5, tokens: 1, reasoning: false },
      { t: index * 10 + 39, tokens: null, reasoning: false },
    ],
    ok: true,
    error: null,
    http_status: 200,
    finish_reason: 'stop',
    input_tokens: 12,
    input_tokens_source: 'usage',
    output_tokens: 2,
    output_tokens_source: 'usage',
    requested_output_tokens: 2,
    output_chars: 9,
    ...overrides,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function assertStoreError(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StoreError, `expected StoreError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

test('create, append, finish and read back a run', (t) => {
  const { store, path } = openTemp(t);
  assert.ok(existsSync(path), 'parent directories and file are created');
  const run = store.createRun({ ...newRun(), labels: { gpu: 'h100' }, note: 'first try' });
  assert.match(run.id, /^[0-9a-z]{10}$/);
  assert.equal(run.status, 'running');
  assert.equal(run.writer_pid, process.pid);
  assert.equal(run.request_count, 0);
  assert.equal(run.note, 'first try');
  assert.ok(Math.abs(Date.parse(run.created_at) - Date.now()) < 60_000);

  const failed = record(2, {
    ok: false,
    error: { class: 'http_5xx', message: 'boom', status: 503 },
    http_status: 503,
    chunks: [],
    finish_reason: null,
  });
  const warm = record(0, { warmup: true });
  store.appendRequests(run.id, [record(1), failed]);
  store.appendRequests(run.id, [warm, record(0)]);
  store.appendRequests(run.id, []);
  store.appendServerSamples(run.id, [
    { t_ms: 20, source: 'http://x/metrics', payload: { 'vllm:num_requests_running': 3 } },
    { t_ms: 10, source: 'http://x/metrics', payload: { 'vllm:num_requests_running': 1 } },
  ]);
  store.finishRun(run.id, { status: 'completed', summary: { requests: { total: 3 } }, results: { summary: { a: 1 } } });

  const back = store.getRun(run.id);
  assert.equal(back.status, 'completed');
  assert.ok(back.finished_at !== null);
  assert.deepEqual(back.summary, { requests: { total: 3 } });
  assert.deepEqual(back.results, { summary: { a: 1 } });
  assert.deepEqual(back.labels, { gpu: 'h100' });
  assert.deepEqual(back.config, { profile: 'concurrency', concurrency: 4 });
  assert.equal(back.environment.model_id, 'tiny');
  assert.equal(back.request_count, 4);

  const records = store.getRequests(run.id);
  assert.deepEqual(records, [warm, record(0), record(1), failed], 'warm-up first, then schedule order, records intact');
  const lazy = store.iterateRequests(run.id);
  assert.deepEqual(lazy.next().value, warm);
  assert.deepEqual([...lazy].length, 3);
  assert.deepEqual(
    store.getServerSamples(run.id).map((s) => s.t_ms),
    [10, 20],
  );
});

test('an early break from iterateRequests frees the connection', (t) => {
  const { store } = openTemp(t);
  const run = store.createRun(newRun());
  store.appendRequests(run.id, [record(0), record(1), record(2)]);
  for (const r of store.iterateRequests(run.id)) {
    assert.equal(r.index, 0);
    break;
  }
  store.appendRequests(run.id, [record(3)]);
  assert.equal(store.getRun(run.id).request_count, 4);
});

test('listRuns filters by labels, target and since, newest first, with a limit', async (t) => {
  const { store } = openTemp(t);
  const a = store.createRun(newRun('http://gpu-a:8000/v1', { gpu: 'h100', model: 'llama' }));
  const b = store.createRun(newRun('http://gpu-b:8000/v1', { gpu: 'h100', model: 'qwen' }));
  await sleep(25);
  const between = new Date();
  await sleep(25);
  const c = store.createRun(newRun('http://GPU-A:9000/v1', { gpu: 'a100' }));

  assert.deepEqual(store.listRuns().map((r) => r.id), [c.id, b.id, a.id]);
  assert.deepEqual(store.listRuns({ labels: { gpu: 'h100' } }).map((r) => r.id), [b.id, a.id]);
  assert.deepEqual(store.listRuns({ labels: { gpu: 'h100', model: 'llama' } }).map((r) => r.id), [a.id]);
  assert.deepEqual(store.listRuns({ labels: { gpu: 'none' } }), []);
  assert.deepEqual(store.listRuns({ target: 'gpu-a' }).map((r) => r.id), [c.id, a.id], 'case-insensitive substring');
  assert.deepEqual(store.listRuns({ since: between }).map((r) => r.id), [c.id]);
  assert.deepEqual(store.listRuns({ since: new Date(Date.now() + 3_600_000) }), []);
  assert.deepEqual(store.listRuns({ limit: 2 }).map((r) => r.id), [c.id, b.id]);
  assert.throws(() => store.listRuns({ limit: 0 }), assertStoreError('invalid_input', /limit/));
  assert.throws(() => store.listRuns({ since: new Date('nope') }), assertStoreError('invalid_input', /since/));
});

test('getRun resolves unique prefixes and reports ambiguous and unknown references', (t) => {
  const { store } = openTemp(t);
  // 33 ids over a 32-character alphabet: at least two share a first character.
  const ids = Array.from({ length: 33 }, () => store.createRun(newRun()).id);
  const byFirst = new Map<string, string[]>();
  for (const id of ids) byFirst.set(id[0] as string, [...(byFirst.get(id[0] as string) ?? []), id]);
  const [shared, sharing] = [...byFirst.entries()].find(([, group]) => group.length > 1) as [string, string[]];

  assert.throws(
    () => store.getRun(shared),
    (error) => {
      assertStoreError('ambiguous', new RegExp(`prefix "${shared}" is ambiguous`))(error);
      const matches = (error as StoreError).matches;
      for (const id of sharing.slice(0, 10)) assert.ok(matches.includes(id), `${id} listed`);
      return true;
    },
  );

  const target = ids[5] as string;
  const uniquePrefix = [...Array(10).keys()]
    .map((n) => target.slice(0, n + 1))
    .find((prefix) => ids.filter((id) => id.startsWith(prefix)).length === 1) as string;
  assert.equal(store.getRun(uniquePrefix).id, target);
  assert.equal(store.getRun(uniquePrefix.toUpperCase()).id, target, 'ids are case-insensitive');
  assert.equal(store.getRun(` ${target} `).id, target);

  const absent = ids.includes('0000000000') ? 'zzzzzzzzzz' : '0000000000';
  assert.throws(() => store.getRun(absent), assertStoreError('not_found', new RegExp(`no run matches "${absent}"`)));
  assert.throws(() => store.getRun('not-a-run!'), assertStoreError('not_found', /no run matches "not-a-run!"/));
  assert.throws(() => store.getRun(''), assertStoreError('invalid_input', /empty/));
});

test('baseline tags resolve in getRun, move between runs and are validated', (t) => {
  const { store } = openTemp(t);
  const a = store.createRun(newRun());
  const b = store.createRun(newRun());
  assert.deepEqual(store.tagBaseline(a.id, 'main'), { previous: null });
  assert.deepEqual(store.tagBaseline(a.id, 'v1.2'), { previous: null });
  assert.equal(store.getRun('main').id, a.id);
  assert.deepEqual(store.getRun(a.id).baselines, ['main', 'v1.2']);
  assert.deepEqual(store.tagBaseline(a.id, 'main'), { previous: null }, 're-tagging the same run is not a move');

  assert.deepEqual(store.tagBaseline(b.id, 'main'), { previous: a.id });
  assert.equal(store.getRun('main').id, b.id);
  assert.deepEqual(store.getRun(a.id).baselines, ['v1.2']);

  assert.throws(() => store.tagBaseline(a.id, 'has space'), assertStoreError('invalid_input', /baseline name "has space"/));
  assert.throws(() => store.tagBaseline('0000000000', 'x'), assertStoreError('not_found', /0000000000 does not exist/));
});

test('deleteRun cascades to requests, samples, labels and baselines', (t) => {
  const { store, path } = openTemp(t);
  const keep = store.createRun(newRun('http://k', { k: 'v' }));
  const gone = store.createRun(newRun('http://g', { k: 'v' }));
  for (const run of [keep, gone]) {
    store.appendRequests(run.id, [record(0), record(1)]);
    store.appendServerSamples(run.id, [{ t_ms: 1, source: 's', payload: null }]);
  }
  store.tagBaseline(gone.id, 'old');
  store.deleteRun(gone.id);

  assert.throws(() => store.getRun(gone.id), assertStoreError('not_found', /no run matches/));
  assert.throws(() => store.getRun('old'), assertStoreError('not_found', /no run matches "old"/));
  assert.throws(() => store.getRequests(gone.id), assertStoreError('not_found', /does not exist/));
  assert.throws(() => store.deleteRun(gone.id), assertStoreError('not_found', /does not exist/));
  assert.equal(store.getRequests(keep.id).length, 2);

  const raw = new Database(path, { readonly: true });
  t.after(() => raw.close());
  for (const table of ['requests', 'server_samples', 'run_labels', 'baselines']) {
    const count = raw.prepare(`SELECT count(*) FROM ${table} WHERE run_id = ?`).pluck().get(gone.id);
    assert.equal(count, 0, `${table} rows removed`);
  }
});

test('bad input gives clear errors', (t) => {
  const { store } = openTemp(t);
  assert.throws(() => store.appendRequests('0000000000', [record(0)]), assertStoreError('not_found', /run 0000000000 does not exist/));
  assert.throws(() => store.createRun({ ...newRun(), labels: { 'bad key': 'x' } }), assertStoreError('invalid_input', /label key "bad key"/));
  const run = store.createRun(newRun());
  assert.throws(() => store.appendRequests(run.id, [record(0, { t_send: Number.NaN })]), assertStoreError('invalid_input', /record 0/));
  assert.throws(
    () => store.finishRun(run.id, { status: 'running' as never, summary: null }),
    assertStoreError('invalid_input', /status must be one of/),
  );
  assert.throws(() => store.finishRun('0000000000', { status: 'completed', summary: null }), assertStoreError('not_found', /does not exist/));
});

test('a running run whose writer process is gone reads as interrupted', (t) => {
  const { store, path } = openTemp(t);
  const dead = store.createRun(newRun());
  const remote = store.createRun(newRun());
  const live = store.createRun(newRun());
  const exited = spawnSync(process.execPath, ['-e', '']);
  assert.ok(exited.pid !== undefined && exited.pid > 0);
  const raw = new Database(path);
  t.after(() => raw.close());
  raw.prepare('UPDATE runs SET writer_pid = ? WHERE id = ?').run(exited.pid, dead.id);
  raw.prepare("UPDATE runs SET writer_pid = ?, writer_host = 'elsewhere.example' WHERE id = ?").run(exited.pid, remote.id);

  assert.equal(store.getRun(dead.id).status, 'interrupted');
  assert.equal(raw.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(dead.id), 'interrupted', 'marked in the database');
  assert.equal(store.getRun(remote.id).status, 'running', 'another host cannot be checked');
  assert.equal(store.getRun(live.id).status, 'running');
  const statuses = Object.fromEntries(store.listRuns().map((r) => [r.id, r.status]));
  assert.deepEqual(statuses, { [dead.id]: 'interrupted', [remote.id]: 'running', [live.id]: 'running' });
});

test('defaultDbPath honours INFERSCOPE_DB and otherwise uses the user data directory', () => {
  const saved = process.env['INFERSCOPE_DB'];
  try {
    process.env['INFERSCOPE_DB'] = '/tmp/x/runs.db';
    assert.equal(defaultDbPath(), '/tmp/x/runs.db');
    delete process.env['INFERSCOPE_DB'];
    assert.match(defaultDbPath(), /inferscope[\\/]inferscope\.db$/);
  } finally {
    if (saved === undefined) delete process.env['INFERSCOPE_DB'];
    else process.env['INFERSCOPE_DB'] = saved;
  }
});

test('the database file is in WAL mode at the latest schema version', (t) => {
  const { store, path } = openTemp(t);
  store.createRun(newRun());
  assert.ok(existsSync(`${path}-wal`), 'a WAL file exists while open');
  const raw = new Database(path);
  t.after(() => raw.close());
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(raw.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
});
