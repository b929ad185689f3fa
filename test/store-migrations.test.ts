import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '../src/store/errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from '../src/store/migrations.js';
import { openSqliteDatabase, openSqliteStore } from '../src/store/sqlite-store.js';

function tempPath(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'runs.db');
}

function columns(db: ReturnType<typeof openSqliteDatabase>, table: string): string[] {
  return db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all().map((c) => c.name);
}

test('migrations are numbered 1..N without gaps', async () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
  assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
  assert.ok(LATEST_SCHEMA_VERSION >= 2);
});

test('a version-1 database upgrades on open with its data intact', async (t) => {
  const path = tempPath(t);
  const old = openSqliteDatabase(path);
  assert.deepEqual(migrate(old, 1), { from: 0, to: 1 });
  assert.ok(!columns(old, 'runs').includes('note'));
  const record = {
    index: 0, warmup: false, t_sched: 0, t_send: 1, t_headers: 2, t_end: 9,
    chunks: [{ t: 3, tokens: null, reasoning: false }], ok: true, error: null, http_status: 200,
    finish_reason: 'length', input_tokens: 5, input_tokens_source: 'usage', output_tokens: 1,
    output_tokens_source: 'chunks', requested_output_tokens: 1, output_chars: 4,
  };
  old.prepare(`INSERT INTO runs (id, created_at, finished_at, status, target, model, config_json, environment_json,
      summary_json, writer_pid, writer_host) VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?)`).run(
    'abcdefghjk', '2025-01-02T03:04:05.000Z', '2025-01-02T03:05:00.000Z', 'http://old:8000', 'm',
    '{"concurrency":2}', JSON.stringify({ tool_version: '0.0.9', host: 'h', target_url: 'http://old:8000', model_id: 'm' }),
    '{"requests":{"total":1}}', 1, hostname(),
  );
  old.prepare("INSERT INTO run_labels (run_id, key, value) VALUES ('abcdefghjk', 'env', 'old')").run();
  old.prepare("INSERT INTO baselines (name, run_id, tagged_at) VALUES ('legacy', 'abcdefghjk', '2025-01-02T03:06:00.000Z')").run();
  old.prepare(`INSERT INTO requests (run_id, idx, warmup, ok, error_class, finish_reason, t_send, record_json)
      VALUES ('abcdefghjk', 0, 0, 1, NULL, 'length', 1, ?)`).run(JSON.stringify(record));
  old.close();

  const store = openSqliteStore(path);
  t.after(() => store.close());
  const run = await store.getRun('legacy');
  assert.equal(run.id, 'abcdefghjk');
  assert.equal(run.status, 'completed');
  assert.equal(run.note, null, 'the new column exists and is empty for old runs');
  assert.deepEqual(run.labels, { env: 'old' });
  assert.deepEqual(run.summary, { requests: { total: 1 } });
  assert.deepEqual(await store.getRequests(run.id), [record]);
  assert.equal((await store.createRun({ config: {}, environment: run.environment, note: 'new' })).note, 'new');

  const check = openSqliteDatabase(path);
  t.after(() => check.close());
  assert.equal(schemaVersion(check), LATEST_SCHEMA_VERSION);
  assert.ok(columns(check, 'runs').includes('note'));
  const indexes = check.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
  assert.ok(indexes.includes('runs_target_idx'));
  const log = check.prepare<[], number>('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
  assert.deepEqual(log, MIGRATIONS.map((m) => m.version));
  assert.ok(columns(check, 'requests').includes('chunks'));
  const stored = check.prepare<[], { record_json: string; chunks: Buffer | null }>('SELECT record_json, chunks FROM requests').get();
  assert.ok(stored?.chunks instanceof Buffer, 'the version-1 row was compacted by migration 3');
  assert.equal(JSON.parse(stored.record_json).chunks, 1);
});

test('reopening an up-to-date database applies nothing', async (t) => {
  const path = tempPath(t);
  openSqliteStore(path).close();
  const db = openSqliteDatabase(path);
  t.after(() => db.close());
  assert.deepEqual(migrate(db), { from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
});

test('a database from a newer inferscope is refused with a clear error', async (t) => {
  const path = tempPath(t);
  const db = openSqliteDatabase(path);
  db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(
    () => openSqliteStore(path),
    (error) => error instanceof StoreError && error.code === 'schema' && /newer than this inferscope supports/.test(error.message),
  );
});

test('a file that is not a database gives an error naming the path', async (t) => {
  const path = tempPath(t);
  writeFileSync(path, 'not a database '.repeat(100));
  assert.throws(
    () => openSqliteStore(path),
    (error) => error instanceof StoreError && error.code === 'io' && error.message.includes(path) && error.cause !== undefined,
  );
});
