// The store contract: every test runs on SQLite and on a real PostgreSQL (started here), which must behave alike.
import { after, before, test } from 'node:test';
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
import pg from 'pg';
import { openStore } from '../src/store/open-store.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';

/** Every item of an async iterable (Array.fromAsync arrives in Node 22). */
async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function tempDb(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'dir', 'runs.db');
}

type T = { after: (fn: () => unknown) => void };

/** Direct SQL on the backend's database, for what the store API does not show; `?` placeholders on both. */
interface Raw {
  one(sql: string, params: unknown[]): Promise<unknown>;
  run(sql: string, params: unknown[]): Promise<void>;
}

interface Backend {
  name: string;
  open(t: T): Promise<{ store: RunStore; raw: Raw }>;
}

let postgres: TestPostgres;
before(async () => {
  postgres = await startPostgres();
});
after(() => postgres.close());

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    async open(t) {
      const path = tempDb(t);
      const store = openSqliteStore(path);
      t.after(() => store.close());
      const db = new Database(path);
      t.after(() => db.close());
      return {
        store,
        raw: {
          one: async (sql, params) => db.prepare(sql).pluck().get(...params),
          run: async (sql, params) => void db.prepare(sql).run(...params),
        },
      };
    },
  },
  {
    name: 'postgres',
    async open(t) {
      const url = postgres.createDatabase('contract');
      const store = await openStore(url);
      t.after(() => store.close());
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      t.after(() => client.end());
      let n = 0;
      const numbered = (sql: string): string => sql.replace(/\?/g, () => `$${++n}`);
      return {
        store,
        raw: {
          one: async (sql, params) => {
            n = 0;
            const r = await client.query({ text: numbered(sql), values: params, rowMode: 'array' });
            const v = r.rows[0]?.[0];
            return typeof v === 'string' && /^\d+$/.test(v) && sql.includes('count(') ? Number(v) : v;
          },
          run: async (sql, params) => {
            n = 0;
            await client.query(numbered(sql), params);
          },
        },
      };
    },
  },
];

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

for (const backend of BACKENDS) {
  test(`${backend.name}: create, append, finish and read back a run`, async (t) => {
    const { store, raw } = await backend.open(t);
    const run = await store.createRun({ ...newRun(), labels: { gpu: 'h100' }, note: 'first try' });
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
    await store.appendRequests(run.id, [record(1), failed]);
    await store.appendRequests(run.id, [warm, record(0)]);
    await store.appendRequests(run.id, []);
    await store.appendServerSamples(run.id, [
      { t_ms: 20, source: 'http://x/metrics', payload: { 'vllm:num_requests_running': 3 } },
      { t_ms: 10, source: 'http://x/metrics', payload: { 'vllm:num_requests_running': 1 } },
    ]);
    await store.finishRun(run.id, { status: 'completed', summary: { requests: { total: 3 } }, results: { summary: { a: 1 } } });

    const back = await store.getRun(run.id);
    assert.equal(back.status, 'completed');
    assert.ok(back.finished_at !== null);
    assert.deepEqual(back.summary, { requests: { total: 3 } });
    assert.deepEqual(back.results, { summary: { a: 1 } });
    assert.deepEqual(back.labels, { gpu: 'h100' });
    assert.deepEqual(back.config, { profile: 'concurrency', concurrency: 4 });
    assert.equal(back.environment.model_id, 'tiny');
    assert.equal(back.request_count, 4);

    const records = await store.getRequests(run.id);
    assert.deepEqual(records, [warm, record(0), record(1), failed], 'warm-up first, then schedule order, records intact');
    const lazy = store.iterateRequests(run.id);
    assert.deepEqual((await lazy.next()).value, warm);
    assert.deepEqual((await collectAll(lazy)).length, 3);
    assert.deepEqual(
      (await store.getServerSamples(run.id)).map((s) => s.t_ms),
      [10, 20],
    );
  });

  test(`${backend.name}: an early break from iterateRequests frees the connection`, async (t) => {
    const { store, raw } = await backend.open(t);
    const run = await store.createRun(newRun());
    await store.appendRequests(run.id, [record(0), record(1), record(2)]);
    for await (const r of store.iterateRequests(run.id)) {
      assert.equal(r.index, 0);
      break;
    }
    await store.appendRequests(run.id, [record(3)]);
    assert.equal((await store.getRun(run.id)).request_count, 4);
  });

  test(`${backend.name}: listRuns filters by labels, target and since, newest first, with a limit`, async (t) => {
    const { store, raw } = await backend.open(t);
    const a = await store.createRun(newRun('http://gpu-a:8000/v1', { gpu: 'h100', model: 'llama' }));
    const b = await store.createRun(newRun('http://gpu-b:8000/v1', { gpu: 'h100', model: 'qwen' }));
    await sleep(25);
    const between = new Date();
    await sleep(25);
    const c = await store.createRun(newRun('http://GPU-A:9000/v1', { gpu: 'a100' }));

    assert.deepEqual((await store.listRuns()).map((r) => r.id), [c.id, b.id, a.id]);
    assert.deepEqual((await store.listRuns({ labels: { gpu: 'h100' } })).map((r) => r.id), [b.id, a.id]);
    assert.deepEqual((await store.listRuns({ labels: { gpu: 'h100', model: 'llama' } })).map((r) => r.id), [a.id]);
    assert.deepEqual(await store.listRuns({ labels: { gpu: 'none' } }), []);
    assert.deepEqual((await store.listRuns({ target: 'gpu-a' })).map((r) => r.id), [c.id, a.id], 'case-insensitive substring');
    assert.deepEqual((await store.listRuns({ since: between })).map((r) => r.id), [c.id]);
    assert.deepEqual(await store.listRuns({ since: new Date(Date.now() + 3_600_000) }), []);
    assert.deepEqual((await store.listRuns({ limit: 2 })).map((r) => r.id), [c.id, b.id]);
    await assert.rejects(async () => await store.listRuns({ limit: 0 }), assertStoreError('invalid_input', /limit/));
    await assert.rejects(async () => await store.listRuns({ since: new Date('nope') }), assertStoreError('invalid_input', /since/));
  });

  test(`${backend.name}: getRun resolves unique prefixes and reports ambiguous and unknown references`, async (t) => {
    const { store, raw } = await backend.open(t);
    // 33 ids over a 32-character alphabet: at least two share a first character.
    const ids: string[] = [];
    for (let i = 0; i < 33; i++) ids.push((await store.createRun(newRun())).id);
    const byFirst = new Map<string, string[]>();
    for (const id of ids) byFirst.set(id[0] as string, [...(byFirst.get(id[0] as string) ?? []), id]);
    const [shared, sharing] = [...byFirst.entries()].find(([, group]) => group.length > 1) as [string, string[]];

    await assert.rejects(async () => await store.getRun(shared),
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
    assert.equal((await store.getRun(uniquePrefix)).id, target);
    assert.equal((await store.getRun(uniquePrefix.toUpperCase())).id, target, 'ids are case-insensitive');
    assert.equal((await store.getRun(` ${target} `)).id, target);

    const absent = ids.includes('0000000000') ? 'zzzzzzzzzz' : '0000000000';
    await assert.rejects(async () => await store.getRun(absent), assertStoreError('not_found', new RegExp(`no run matches "${absent}"`)));
    await assert.rejects(async () => await store.getRun('not-a-run!'), assertStoreError('not_found', /no run matches "not-a-run!"/));
    await assert.rejects(async () => await store.getRun(''), assertStoreError('invalid_input', /empty/));
  });

  test(`${backend.name}: baseline tags resolve in getRun, move between runs and are validated`, async (t) => {
    const { store, raw } = await backend.open(t);
    const a = await store.createRun(newRun());
    const b = await store.createRun(newRun());
    assert.deepEqual(await store.tagBaseline(a.id, 'main'), { previous: null });
    assert.deepEqual(await store.tagBaseline(a.id, 'v1.2'), { previous: null });
    assert.equal((await store.getRun('main')).id, a.id);
    assert.deepEqual((await store.getRun(a.id)).baselines, ['main', 'v1.2']);
    assert.deepEqual(await store.tagBaseline(a.id, 'main'), { previous: null }, 're-tagging the same run is not a move');

    assert.deepEqual(await store.tagBaseline(b.id, 'main'), { previous: a.id });
    assert.equal((await store.getRun('main')).id, b.id);
    assert.deepEqual((await store.getRun(a.id)).baselines, ['v1.2']);

    await assert.rejects(async () => await store.tagBaseline(a.id, 'has space'), assertStoreError('invalid_input', /baseline name "has space"/));
    await assert.rejects(async () => await store.tagBaseline('0000000000', 'x'), assertStoreError('not_found', /0000000000 does not exist/));
  });

  test(`${backend.name}: deleteRun cascades to requests, samples, labels and baselines`, async (t) => {
    const { store, raw } = await backend.open(t);
    const keep = await store.createRun(newRun('http://k', { k: 'v' }));
    const gone = await store.createRun(newRun('http://g', { k: 'v' }));
    for (const run of [keep, gone]) {
      await store.appendRequests(run.id, [record(0), record(1)]);
      await store.appendServerSamples(run.id, [{ t_ms: 1, source: 's', payload: null }]);
    }
    await store.tagBaseline(gone.id, 'old');
    await store.deleteRun(gone.id);

    await assert.rejects(async () => await store.getRun(gone.id), assertStoreError('not_found', /no run matches/));
    await assert.rejects(async () => await store.getRun('old'), assertStoreError('not_found', /no run matches "old"/));
    await assert.rejects(async () => await store.getRequests(gone.id), assertStoreError('not_found', /does not exist/));
    await assert.rejects(async () => await store.deleteRun(gone.id), assertStoreError('not_found', /does not exist/));
    assert.equal((await store.getRequests(keep.id)).length, 2);

    for (const table of ['requests', 'server_samples', 'run_labels', 'baselines']) {
      const count = await raw.one(`SELECT count(*) FROM ${table} WHERE run_id = ?`, [gone.id]);
      assert.equal(count, 0, `${table} rows removed`);
    }
  });

  test(`${backend.name}: bad input gives clear errors`, async (t) => {
    const { store, raw } = await backend.open(t);
    await assert.rejects(async () => await store.appendRequests('0000000000', [record(0)]), assertStoreError('not_found', /run 0000000000 does not exist/));
    await assert.rejects(async () => await store.createRun({ ...newRun(), labels: { 'bad key': 'x' } }), assertStoreError('invalid_input', /label key "bad key"/));
    const run = await store.createRun(newRun());
    await assert.rejects(async () => await store.appendRequests(run.id, [record(0, { t_send: Number.NaN })]), assertStoreError('invalid_input', /record 0/));
    await assert.rejects(async () => await store.finishRun(run.id, { status: 'running' as never, summary: null }),
      assertStoreError('invalid_input', /status must be one of/),
    );
    await assert.rejects(async () => await store.finishRun('0000000000', { status: 'completed', summary: null }), assertStoreError('not_found', /does not exist/));
  });

  test(`${backend.name}: a running run's checkpoint is its summary and results until it finishes, and survives its writer`, async (t) => {
    const { store, raw } = await backend.open(t);
    const run = await store.createRun(newRun());
    await store.checkpointRun(run.id, { summary: { requests: { total: 10 } }, results: { at: 1 } });
    await store.checkpointRun(run.id, { summary: { requests: { total: 20 } }, results: { at: 2 } });
    let row = await store.getRun(run.id);
    assert.equal(row.status, 'running');
    assert.deepEqual([row.summary, row.results], [{ requests: { total: 20 } }, { at: 2 }]);
    await store.finishRun(run.id, { status: 'completed', summary: { requests: { total: 25 } }, results: { at: 'end' } });
    await store.checkpointRun(run.id, { summary: { requests: { total: 21 } }, results: { at: 3 } });
    row = await store.getRun(run.id);
    assert.deepEqual([row.status, row.summary, row.results], ['completed', { requests: { total: 25 } }, { at: 'end' }], 'a late checkpoint changes nothing');
    // The writer dies: the run reads as interrupted with its last checkpoint.
    const dead = await store.createRun(newRun());
    await store.checkpointRun(dead.id, { summary: { requests: { total: 7 } }, results: { at: 7 } });
    const exited = spawnSync(process.execPath, ['-e', '']);
    await raw.run('UPDATE runs SET writer_pid = ? WHERE id = ?', [exited.pid, dead.id]);
    row = await store.getRun(dead.id);
    assert.deepEqual([row.status, row.summary], ['interrupted', { requests: { total: 7 } }]);
  });

  test(`${backend.name}: a running run whose writer process is gone reads as interrupted`, async (t) => {
    const { store, raw } = await backend.open(t);
    const dead = await store.createRun(newRun());
    const remote = await store.createRun(newRun());
    const live = await store.createRun(newRun());
    const exited = spawnSync(process.execPath, ['-e', '']);
    assert.ok(exited.pid !== undefined && exited.pid > 0);
    await raw.run('UPDATE runs SET writer_pid = ? WHERE id = ?', [exited.pid, dead.id]);
    await raw.run("UPDATE runs SET writer_pid = ?, writer_host = 'elsewhere.example' WHERE id = ?", [exited.pid, remote.id]);

    assert.equal((await store.getRun(dead.id)).status, 'interrupted');
    assert.equal(await raw.one('SELECT status FROM runs WHERE id = ?', [dead.id]), 'interrupted', 'marked in the database');
    assert.equal((await store.getRun(remote.id)).status, 'running', 'another host cannot be checked');
    assert.equal((await store.getRun(live.id)).status, 'running');
    const statuses = Object.fromEntries((await store.listRuns()).map((r) => [r.id, r.status]));
    assert.deepEqual(statuses, { [dead.id]: 'interrupted', [remote.id]: 'running', [live.id]: 'running' });
  });
}

test('defaultDbPath honours INFERSCOPE_DB and otherwise uses the user data directory', async () => {
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

test('sqlite: the database file (parent directories made) is in WAL mode at the latest schema version', async (t) => {
  const path = tempDb(t);
  const store = openSqliteStore(path);
  t.after(() => store.close());
  assert.ok(existsSync(path), 'parent directories and file are created');
  await store.createRun(newRun());
  assert.ok(existsSync(`${path}-wal`), 'a WAL file exists while open');
  const raw = new Database(path);
  t.after(() => raw.close());
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(raw.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
});
