import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord, TokenChunk } from '../src/measure/record.js';
import { StoreError } from '../src/store/errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from '../src/store/migrations.js';
import { openSqliteDatabase, openSqliteStore } from '../src/store/sqlite-store.js';

/** Every item of an async iterable (Array.fromAsync arrives in Node 22). */
async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

type Db = ReturnType<typeof openSqliteDatabase>;

function tempPath(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-records-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'runs.db');
}

const environment = { tool_version: '0.1.0', host: 'h', target_url: 'http://127.0.0.1:8000/v1', model_id: 'm' };

function streamed(index: number, n: number, start: number): TokenChunk[] {
  return Array.from({ length: n }, (_, i) => ({ t: Math.round((start + i * 21.337) * 1000) / 1000, tokens: null, reasoning: false }));
}

function record(index: number, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    index, warmup: false, t_sched: index * 10, t_send: index * 10 + 0.125, t_headers: index * 10 + 20.5,
    t_end: index * 10 + 5000.001, chunks: streamed(index, 200, index * 10 + 30.002), ok: true, error: null,
    http_status: 200, finish_reason: 'length', input_tokens: 100, input_tokens_source: 'usage', output_tokens: 200,
    output_tokens_source: 'usage', requested_output_tokens: 200, output_chars: 800,
    ...overrides,
  };
}

/** Records covering every branch of the stored form. */
function variedRecords(): RequestRecord[] {
  return [
    record(0, { warmup: true }),
    record(1),
    record(2, { chunks: [], ok: false, error: { class: 'empty_response', message: 'no tokens' }, output_tokens: 0, finish_reason: null }),
    record(3, { chunks: [{ t: 40.5, tokens: null, reasoning: false }] }),
    record(4, {
      chunks: [{ t: 31, tokens: 2, reasoning: true }, { t: 52.25, tokens: null, reasoning: true }, { t: 60, tokens: 0, reasoning: false }],
      output_tokens_alt: { tokenizer: 3, chunks: 3 }, output_tokens_source: 'chunk_usage', output_text: 'thinking… done',
    }),
    record(5, { chunks: [{ t: 41.123456789, tokens: null, reasoning: false }, { t: 39, tokens: null, reasoning: false }] }),
    record(6, { chunks: [{ t: 41, tokens: 1.5, reasoning: false }] }),
    record(7, { ok: false, error: { class: 'http_5xx', message: 'Bad Gateway', status: 502 }, http_status: 502, t_headers: null, chunks: [] }),
  ];
}

function insertV2Run(db: Db, id: string, records: readonly RequestRecord[]): void {
  db.prepare(`INSERT INTO runs (id, created_at, status, config_json, environment_json)
    VALUES (?, '2025-01-02T03:04:05.000Z', 'completed', '{}', ?)`).run(id, JSON.stringify(environment));
  const insert = db.prepare(`INSERT INTO requests (run_id, idx, warmup, ok, error_class, finish_reason, t_send, record_json)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const r of records) {
    insert.run(id, r.index, r.warmup ? 1 : 0, r.ok ? 1 : 0, r.error?.class ?? null, r.finish_reason, r.t_send, JSON.stringify(r));
  }
}

function storedRows(path: string): { record_json: string; chunks: Buffer | null }[] {
  const db = openSqliteDatabase(path);
  try {
    return db.prepare<[], { record_json: string; chunks: Buffer | null }>('SELECT record_json, chunks FROM requests ORDER BY seq').all();
  } finally {
    db.close();
  }
}

test('a version-2 database with records migrates to compact rows and reads back identical records', async (t) => {
  const path = tempPath(t);
  const old = openSqliteDatabase(path);
  assert.deepEqual(migrate(old, 2), { from: 0, to: 2 });
  const first = variedRecords();
  const second = [record(0), record(1, { chunks: streamed(1, 3000, 1e7) })];
  insertV2Run(old, 'aaaaaaaaaa', first);
  insertV2Run(old, 'bbbbbbbbbb', second);
  old.close();

  const store = openSqliteStore(path);
  t.after(() => store.close());
  assert.deepEqual(await store.getRequests('aaaaaaaaaa'), first);
  assert.deepEqual(await collectAll(store.iterateRequests('bbbbbbbbbb')), second);
  assert.equal((await store.getRun('aaaaaaaaaa')).request_count, first.length);

  const rows = storedRows(path);
  const kept = rows.filter((row) => row.chunks === null);
  assert.equal(kept.length, 1, 'only the record with fractional per-chunk tokens keeps its chunks as JSON');
  assert.deepEqual(JSON.parse(kept[0]!.record_json).chunks, [{ t: 41, tokens: 1.5, reasoning: false }]);
  for (const row of rows.filter((r) => r.chunks !== null)) assert.equal(typeof JSON.parse(row.record_json).chunks, 'number');
  const before = rows.reduce((n, row) => n + row.record_json.length + (row.chunks?.length ?? 0), 0);
  const after = [...first, ...second].reduce((n, r) => n + JSON.stringify(r).length, 0);
  assert.ok(before * 4 < after, `stored bytes ${before} vs ${after} as full JSON`);
});

test('a version-1 database upgrades through every later migration and keeps its records', async (t) => {
  const path = tempPath(t);
  const old = openSqliteDatabase(path);
  migrate(old, 1);
  const records = variedRecords();
  insertV2Run(old, 'cccccccccc', records); // the v1 requests table has the same columns
  old.close();

  const store = openSqliteStore(path);
  t.after(() => store.close());
  assert.deepEqual(await store.getRequests('cccccccccc'), records);
  const db = openSqliteDatabase(path);
  t.after(() => db.close());
  assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
  assert.deepEqual(
    db.prepare<[], number>('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
    MIGRATIONS.map((m) => m.version),
  );
});

test('a row whose JSON is already corrupt survives the migration and still reads as corrupt', async (t) => {
  const path = tempPath(t);
  const old = openSqliteDatabase(path);
  migrate(old, 2);
  insertV2Run(old, 'dddddddddd', [record(0)]);
  insertV2Run(old, 'eeeeeeeeee', [record(0)]);
  old.prepare("UPDATE requests SET record_json = '{\"index\": 0, ' WHERE run_id = 'eeeeeeeeee'").run();
  old.close();

  const store = openSqliteStore(path);
  t.after(() => store.close());
  assert.deepEqual(await store.getRequests('dddddddddd'), [record(0)]);
  await assert.rejects(async () => await store.getRequests('eeeeeeeeee'),
    (error) => error instanceof StoreError && error.code === 'corrupt' && /run eeeeeeeeee: request row \d+/.test(error.message),
  );
});

test('the store writes compact rows and reads back every field exactly', async (t) => {
  const path = tempPath(t);
  const store = openSqliteStore(path);
  t.after(() => store.close());
  const run = await store.createRun({ config: {}, environment });
  const records = variedRecords();
  await store.appendRequests(run.id, records.slice(0, 3));
  await store.appendRequests(run.id, records.slice(3));
  assert.deepEqual(await store.getRequests(run.id), records);

  const rows = storedRows(path);
  assert.equal(rows.filter((row) => row.chunks !== null).length, records.length - 1);
  const big = rows[1]!;
  assert.ok(big.record_json.length < 600, `record_json without chunks: ${big.record_json.length} bytes`);
  assert.ok(big.chunks!.length < 3 * 200 + 10, `200 chunks: ${big.chunks!.length} bytes`);
});

test('a damaged chunk blob is reported as corrupt, naming the run and row', async (t) => {
  const path = tempPath(t);
  const store = openSqliteStore(path);
  t.after(() => store.close());
  const run = await store.createRun({ config: {}, environment });
  await store.appendRequests(run.id, [record(0)]);
  const db = openSqliteDatabase(path);
  db.prepare('UPDATE requests SET chunks = substr(chunks, 1, 20)').run();
  db.close();
  await assert.rejects(async () => await store.getRequests(run.id),
    (error) =>
      error instanceof StoreError && error.code === 'corrupt' && error.message.includes(`run ${run.id}: request row`) &&
      /chunk blob claims 200 chunks in 20 bytes/.test(error.message) && error.cause !== undefined,
  );
});
