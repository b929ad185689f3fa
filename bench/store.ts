/**
 * Run-store cost of per-request records: writes 20,000 records of 200 chunks each in batches of 64, reads
 * them back (best of 3 reads) and prints write/read time and file size, for the current store and for records
 * kept as full JSON (how schema 2 stored them), plus the time to migrate such a file to the current schema.
 * Run: node --import tsx bench/store.ts [--records N] [--chunks N]
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { RequestRecord } from '../src/measure/record.js';
import { roundRecordTimes } from '../src/measure/round-times.js';
import { migrate } from '../src/store/migrations.js';
import { openSqliteDatabase, openSqliteStore } from '../src/store/sqlite-store.js';
import { createRng } from '../src/util/rng.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '20000' }, chunks: { type: 'string', default: '200' } } });
const RECORDS = Number(values.records);
const CHUNKS = Number(values.chunks);
const BATCH = 64;
const READS = 3;

/** Fastest of `READS` runs of `read`: reading 4M chunk objects is dominated by GC noise on a busy machine. */
async function bestRead<T>(read: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  let best = Infinity;
  let value: T | undefined;
  for (let i = 0; i < READS; i++) {
    value = undefined; // let the previous copy be collected before timing the next
    const t0 = performance.now();
    value = await read();
    best = Math.min(best, performance.now() - t0);
  }
  return { value: value as T, ms: best };
}

/** Records like a streaming run: ~20 ms inter-token gaps with jitter, times rounded to the microsecond. */
function makeRecords(count: number, chunks: number): RequestRecord[] {
  const rng = createRng(42);
  const out: RequestRecord[] = [];
  for (let index = 0; index < count; index++) {
    const t_sched = index * 12.5;
    const t_send = t_sched + rng.next() * 0.4;
    let t = t_send + 30 + rng.next() * 40;
    const list = [];
    for (let i = 0; i < chunks; i++) {
      list.push({ t, tokens: null, reasoning: false });
      t += 15 + rng.exponential(1 / 6);
    }
    out.push(roundRecordTimes({
      index, warmup: false, t_sched, t_send, t_headers: t_send + 25 + rng.next() * 5, t_end: t + 0.3,
      chunks: list, ok: true, error: null, http_status: 200, finish_reason: 'length',
      input_tokens: 512, input_tokens_source: 'usage', output_tokens: chunks, output_tokens_source: 'usage',
      requested_output_tokens: chunks, output_chars: chunks * 4,
    }));
  }
  return out;
}

const environment = { tool_version: 'bench', host: 'bench', target_url: 'http://127.0.0.1:1/v1', model_id: 'm' };
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function report(label: string, writeMs: number, readMs: number, bytes: number): void {
  console.log(
    `${label.padEnd(26)} write ${writeMs.toFixed(0).padStart(6)} ms  read ${readMs.toFixed(0).padStart(6)} ms  ` +
      `file ${mb(bytes).padStart(9)}  ${(bytes / RECORDS).toFixed(0).padStart(6)} B/record`,
  );
}

async function benchStore(path: string, records: RequestRecord[]): Promise<{ writeMs: number; readMs: number }> {
  const store = openSqliteStore(path);
  const run = await store.createRun({ config: {}, environment });
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += BATCH) await store.appendRequests(run.id, records.slice(i, i + BATCH));
  const writeMs = performance.now() - t0;
  await store.close();
  const reader = openSqliteStore(path);
  const { value: back, ms: readMs } = await bestRead(() => reader.getRequests(run.id));
  await reader.close();
  assert.equal(back.length, records.length);
  assert.deepEqual(back[records.length - 1], records[records.length - 1]);
  return { writeMs, readMs };
}

/** Records as schema 2 stored them: the whole record as JSON text. */
async function benchLegacyJson(path: string, records: RequestRecord[]): Promise<{ writeMs: number; readMs: number }> {
  const db = openSqliteDatabase(path);
  migrate(db, 2);
  db.prepare(`INSERT INTO runs (id, created_at, status, config_json, environment_json)
    VALUES ('legacy0001', ?, 'completed', '{}', ?)`).run(new Date().toISOString(), JSON.stringify(environment));
  const insert = db.prepare(`INSERT INTO requests
    (run_id, idx, warmup, ok, error_class, finish_reason, t_send, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const write = db.transaction((batch: RequestRecord[]) => {
    for (const r of batch) insert.run('legacy0001', r.index, 0, 1, null, r.finish_reason, r.t_send, JSON.stringify(r));
  });
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += BATCH) write.immediate(records.slice(i, i + BATCH));
  const writeMs = performance.now() - t0;
  const select = db.prepare<[], string>("SELECT record_json FROM requests WHERE run_id = 'legacy0001' ORDER BY warmup DESC, idx, seq").pluck();
  const { value: back, ms: readMs } = await bestRead(() => select.all().map((text) => JSON.parse(text) as RequestRecord));
  assert.equal(back.length, records.length);
  db.close();
  return { writeMs, readMs };
}

const dir = mkdtempSync(join(tmpdir(), 'inferscope-bench-store-'));
try {
  const records = makeRecords(RECORDS, CHUNKS);
  const jsonBytes = JSON.stringify(records[0]).length;
  console.log(`${RECORDS} records x ${CHUNKS} chunks, batches of ${BATCH}; one record as JSON: ${jsonBytes} bytes`);

  const legacyPath = join(dir, 'legacy.db');
  const legacy = await benchLegacyJson(legacyPath, records);
  const legacyBytes = statSync(legacyPath).size;
  report('full JSON (schema 2)', legacy.writeMs, legacy.readMs, legacyBytes);

  const currentPath = join(dir, 'current.db');
  const current = await benchStore(currentPath, records);
  const currentBytes = statSync(currentPath).size;
  report('current store', current.writeMs, current.readMs, currentBytes);
  console.log(
    `current vs full JSON: ${(legacyBytes / currentBytes).toFixed(1)}x smaller, write ${(legacy.writeMs / current.writeMs).toFixed(1)}x, ` +
      `read ${(legacy.readMs / current.readMs).toFixed(1)}x faster`,
  );

  const t0 = performance.now();
  const store = openSqliteStore(legacyPath);
  const migrateMs = performance.now() - t0;
  const back = await store.getRequests('legacy0001');
  await store.close();
  assert.deepEqual(back, records);
  const db = openSqliteDatabase(legacyPath);
  const freeBytes = Number(db.pragma('freelist_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
  db.close();
  console.log(
    `migrating the full-JSON file: ${migrateMs.toFixed(0)} ms; records read back identical; ` +
      `file stays ${mb(statSync(legacyPath).size)} with ${mb(freeBytes)} free pages for reuse (VACUUM returns them)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
