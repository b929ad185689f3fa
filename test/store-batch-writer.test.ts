import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../src/measure/record.js';
import { createBatchWriter, createRequestWriter, createSampleWriter } from '../src/store/batch-writer.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { RunStore } from '../src/store/types.js';

function openTemp(t: { after: (fn: () => unknown) => void }): RunStore {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-writer-'));
  const store = openSqliteStore(join(dir, 'runs.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

function record(index: number): RequestRecord {
  return {
    index, warmup: false, t_sched: index, t_send: index, t_headers: index + 1, t_end: index + 5,
    chunks: [{ t: index + 2, tokens: 1, reasoning: false }], ok: true, error: null, http_status: 200,
    finish_reason: 'stop', input_tokens: 3, input_tokens_source: 'usage', output_tokens: 1,
    output_tokens_source: 'usage', requested_output_tokens: 1, output_chars: 2,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

test('writes a batch as soon as it is full', async (t) => {
  const store = openTemp(t);
  const run = await store.createRun({ config: {}, environment: { tool_version: '0', host: 'h', target_url: 'u', model_id: null } });
  const batches: number[] = [];
  const writer = createRequestWriter(store, run.id, { maxBatch: 3, flushMs: 60_000, onFlush: (n) => batches.push(n) });
  t.after(() => writer.close());
  for (let i = 0; i < 7; i++) writer.add(record(i));
  // Full batches are taken at once and written in the background, in order.
  assert.equal(writer.pending, 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batches, [3, 3]);
  assert.equal(writer.written, 6);
  assert.equal(writer.pending, 1);
  assert.equal((await store.getRequests(run.id)).length, 6);
  assert.equal(await writer.flush(), 1);
  assert.equal(await writer.flush(), 0);
  assert.deepEqual(await store.getRequests(run.id), Array.from({ length: 7 }, (_, i) => record(i)));
});

test('writes a partial batch after flushMs', async (t) => {
  const store = openTemp(t);
  const run = await store.createRun({ config: {}, environment: { tool_version: '0', host: 'h', target_url: 'u', model_id: null } });
  let flushedAt = 0;
  const writer = createRequestWriter(store, run.id, { maxBatch: 100, flushMs: 40, onFlush: () => (flushedAt = performance.now()) });
  t.after(() => writer.close());
  const start = performance.now();
  writer.add(record(0));
  writer.add(record(1));
  assert.equal((await store.getRequests(run.id)).length, 0, 'nothing written synchronously');
  await waitFor(() => writer.written === 2);
  assert.ok(flushedAt - start >= 35, `flushed after ${(flushedAt - start).toFixed(1)} ms, not before flushMs`);
  assert.equal((await store.getRequests(run.id)).length, 2);
});

test('close writes what is buffered and refuses more', async (t) => {
  const store = openTemp(t);
  const run = await store.createRun({ config: {}, environment: { tool_version: '0', host: 'h', target_url: 'u', model_id: null } });
  const writer = createRequestWriter(store, run.id);
  writer.add(record(0));
  await writer.close();
  await writer.close();
  assert.equal((await store.getRequests(run.id)).length, 1);
  assert.throws(() => writer.add(record(1)), /after close/);
});

test('a failed timer write keeps its items, reports, and is retried', async () => {
  let failNext = true;
  const sink: number[] = [];
  const errors: unknown[] = [];
  const writer = createBatchWriter<number>(
    (items) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      sink.push(...items);
    },
    { maxBatch: 10, flushMs: 5, onError: (e) => errors.push(e) },
  );
  writer.add(1);
  writer.add(2);
  await waitFor(() => errors.length === 1);
  assert.equal(writer.pending, 2);
  assert.throws(() => writer.add(3), /disk full/, 'the next add reports the failure');
  writer.add(3);
  assert.equal(await writer.flush(), 3);
  assert.deepEqual(sink, [1, 2, 3]);
  await writer.close();
});

test('rejects bad options', async () => {
  assert.throws(() => createBatchWriter(() => {}, { maxBatch: 0 }), /maxBatch/);
  assert.throws(() => createBatchWriter(() => {}, { flushMs: -1 }), /flushMs/);
});

test('the sample writer batches server samples', async (t) => {
  const store = openTemp(t);
  const run = await store.createRun({ config: {}, environment: { tool_version: '0', host: 'h', target_url: 'u', model_id: null } });
  const writer = createSampleWriter(store, run.id, { maxBatch: 2 });
  writer.add({ t_ms: 1, source: 'm', payload: { a: 1 } });
  writer.add({ t_ms: 2, source: 'm', payload: { a: 2 } });
  writer.add({ t_ms: 3, source: 'm', payload: { a: 3 } });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await store.getServerSamples(run.id)).length, 2);
  await writer.close();
  assert.deepEqual((await store.getServerSamples(run.id)).map((s) => s.payload), [{ a: 1 }, { a: 2 }, { a: 3 }]);
});
