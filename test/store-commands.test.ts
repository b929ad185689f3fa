import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../src/measure/record.js';
import { StoreError } from '../src/store/errors.js';
import { REPORT_CSV_COLUMNS, csvField, reportCsv } from '../src/report/html/request-rows-csv.js';
import { RUN_EXPORT_FORMAT, parseLabel, parseLabels, runsDelete, runsExport, runsList, runsShow, runsTag } from '../src/store/runs-commands.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { RunStore } from '../src/store/types.js';

function openTemp(t: { after: (fn: () => unknown) => void }): RunStore {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-cmd-'));
  const store = openSqliteStore(join(dir, 'runs.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

function record(index: number, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    index, warmup: false, t_sched: index * 100, t_send: index * 100 + 0.25, t_headers: index * 100 + 4,
    t_end: index * 100 + 50, chunks: [{ t: index * 100 + 10, tokens: null, reasoning: false }, { t: index * 100 + 49, tokens: null, reasoning: false }],
    ok: true, error: null, http_status: 200, finish_reason: 'stop', input_tokens: 20, input_tokens_source: 'usage',
    output_tokens: 2, output_tokens_source: 'usage', requested_output_tokens: 2, output_chars: 7, ...overrides,
  };
}

const dist = (p50: number) => ({ count: 2, mean: p50, std: 1, min: p50 - 1, max: p50 + 1, p50, p90: p50 + 0.5, p95: p50 + 0.7, p99: p50 + 0.9, p999: p50 + 1 });
const summary = {
  window_s: 12.5,
  requests: { total: 3, succeeded: 2, failed: 1, warmup_excluded: 1, outside_window_excluded: 0 },
  ttft_ms: dist(123.456),
  tpot_ms: dist(8),
  itl_ms: dist(7),
  e2e_ms: dist(400),
  schedule_lag_ms: dist(0.2),
  throughput: { requests_per_s: 0.16, output_tokens_per_s: 321.09, total_tokens_per_s: 400, peak_output_tokens_per_s: 500, concurrency: { mean: 1, max: 2 } },
  goodput: { slo: null, tpot_na_is_good: false, good: null, requests_per_s: null, attainment: null },
  errors: { total: 1, error_rate: 1 / 3, by_class: { http_5xx: 1 } },
};

async function seed(store: RunStore) {
  const done = await store.createRun({
    config: { concurrency: 2 },
    environment: { tool_version: '0.1.0', host: 'box', target_url: 'http://127.0.0.1:8000/v1', model_id: 'tiny-llama', engine: 'vllm', engine_version: '0.6.3' },
    labels: { gpu: 'h100', run: 'a' },
  });
  const failed = record(2, { ok: false, error: { class: 'http_5xx', message: 'bad, "very" bad\nreally', status: 500 }, http_status: 500, chunks: [], finish_reason: null, output_tokens: null, output_tokens_source: null });
  await store.appendRequests(done.id, [record(0, { warmup: true }), record(0), record(1), failed]);
  await store.appendServerSamples(done.id, [{ t_ms: 5, source: 'http://127.0.0.1:8000/metrics', payload: { running: 1 } }]);
  await store.finishRun(done.id, { status: 'completed', summary, results: { summary } });
  const running = await store.createRun({
    config: {},
    environment: { tool_version: '0.1.0', host: 'box', target_url: 'http://other:9000', model_id: null },
  });
  await store.appendRequests(running.id, [record(0)]);
  return { done: await store.getRun(done.id), running: await store.getRun(running.id), failed };
}

test('runsList renders a table with summary figures, falling back to stored counts', async (t) => {
  const store = openTemp(t);
  const { done, running } = await seed(store);
  const lines = (await runsList(store)).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0] as string, /^ID\s+CREATED \(UTC\)\s+STATUS\s+TARGET\s+MODEL\s+LOAD\s+WORKLOAD\s+LABELS\s+REQUESTS\s+TTFT P50 MS\s+OUTPUT TOK\/S$/);
  const runningLine = lines[1] as string;
  const doneLine = lines[2] as string;
  assert.ok(runningLine.startsWith(running.id));
  assert.match(runningLine, /running\s+http:\/\/other:9000\s+-\s+\S+\s+.+\s+1\s+-\s+-$/);
  assert.ok(doneLine.startsWith(done.id));
  assert.match(doneLine, /completed\s+http:\/\/127\.0\.0\.1:8000\/v1\s+tiny-llama\s+c=2\s+-\s+gpu=h100,run=a\s+3\s+123\.5\s+321\.1$/);
  assert.match(doneLine, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  assert.equal(await runsList(store, { labels: { gpu: 'a100' } }), 'No runs found.');
  assert.equal((await runsList(store, { target: 'other' })).split('\n').length, 2);
});

test('runsShow prints metadata and key summary numbers as aligned text', async (t) => {
  const store = openTemp(t);
  const { done, running } = await seed(store);
  await store.tagBaseline(done.id, 'main');
  const text = await runsShow(store, 'main');
  assert.match(text, new RegExp(`^run\\s+${done.id}$`, 'm'));
  assert.match(text, /^status\s+completed$/m);
  assert.match(text, /^engine\s+vllm 0\.6\.3$/m);
  assert.match(text, /^labels\s+gpu=h100,run=a$/m);
  assert.match(text, /^baselines\s+main$/m);
  assert.match(text, /^stored requests\s+4 \(2 ok, 1 failed, 1 warm-up\)$/m);
  assert.match(text, /^ {2}requests\s+3 total, 2 succeeded, 1 failed \(error rate 33\.33%\)$/m);
  assert.match(text, /^ {2}TTFT ms\s+mean 123\.46 {2}p50 123\.46 {2}p90 123\.96 {2}p95 124\.16 {2}p99 124\.36 {2}max 124\.46 {2}\(n=2\)$/m);
  assert.match(text, /^Configuration$/m);
  assert.match(text, /^ {2}throughput\s+0\.16 req\/s, 321\.1 output tok\/s, 400\.0 total tok\/s$/m);
  assert.match(text, /^ {2}errors\s+http_5xx 1$/m);
  // Keys line up: every metadata value starts in the same column.
  const metaLines = text.split('\n\n')[0]?.split('\n') ?? [];
  const valueColumns = new Set(metaLines.map((line) => /^\S+(?: \S+)?\s+/.exec(line)?.[0].length));
  assert.equal(valueColumns.size, 1, `aligned: ${[...valueColumns].join(',')}`);
  assert.match(await runsShow(store, running.id), /No summary \(the run did not finish\)\./);
});

test('runsExport json holds the run with every request record and sample', async (t) => {
  const store = openTemp(t);
  const { done } = await seed(store);
  const doc = JSON.parse(await runsExport(store, done.id.slice(0, 8), 'json')) as Record<string, unknown>;
  assert.equal(doc['format'], RUN_EXPORT_FORMAT);
  assert.deepEqual(doc['run'], await store.getRun(done.id));
  assert.deepEqual(doc['requests'], await store.getRequests(done.id));
  assert.deepEqual(doc['server_samples'], [{ t_ms: 5, source: 'http://127.0.0.1:8000/metrics', payload: { running: 1 } }]);
  const empty = await store.createRun({ config: {}, environment: { tool_version: '0', host: 'h', target_url: 'u', model_id: null } });
  const emptyDoc = JSON.parse(await runsExport(store, empty.id, 'json')) as Record<string, unknown>;
  assert.deepEqual(emptyDoc['requests'], []);
});

test('the per-request CSV of a stored run: raw fields, derived latencies rounded, quoting', async (t) => {
  const store = openTemp(t);
  const { done } = await seed(store);
  const csv = reportCsv([{ label: done.id, records: await store.getRequests(done.id) }]);
  assert.ok(csv.endsWith('\n'));
  const [header, warm, first] = csv.split('\n');
  assert.equal(header, REPORT_CSV_COLUMNS.join(','));
  assert.ok(header?.startsWith('run,index,warmup,ok,error_class,http_status,finish_reason,t_sched,t_send,t_written,t_headers,t_first_chunk'));
  assert.equal(warm, `${done.id},0,true,true,,200,stop,0,0.25,,4,10,49,50,2,20,2,usage,usage,0,9.75,39,48.75,2,`);
  assert.equal(first, `${done.id},0,false,true,,200,stop,0,0.25,,4,10,49,50,2,20,2,usage,usage,0,9.75,39,48.75,2,`);
  assert.ok(csv.includes(`${done.id},2,false,false,http_5xx,500,,200,200.25,,204,,,250,0,20,,usage,,0,,,,0,"bad, ""very"" bad\nreally"\n`));
  assert.equal(csvField(null), '');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField(1.23456789), '1.235');
});

test('runsDelete refuses a live running run and deletes finished ones', async (t) => {
  const store = openTemp(t);
  const { done, running } = await seed(store);
  await store.tagBaseline(done.id, 'main');
  await assert.rejects(async () => await runsDelete(store, running.id), (e) => e instanceof StoreError && /still running.*--force/.test(e.message));
  assert.equal(await runsDelete(store, done.id), `Deleted run ${done.id} (4 requests; removed baseline main).`);
  assert.equal(await runsDelete(store, running.id, { force: true }), `Deleted run ${running.id} (1 requests).`);
  assert.equal(await runsList(store), 'No runs found.');
});

test('runsTag names a baseline and reports a move', async (t) => {
  const store = openTemp(t);
  const { done, running } = await seed(store);
  assert.equal(await runsTag(store, done.id, 'main'), `Run ${done.id} is now baseline "main".`);
  assert.equal(await runsTag(store, running.id, 'main'), `Run ${running.id} is now baseline "main" (moved from run ${done.id}).`);
  assert.equal((await store.getRun('main')).id, running.id);
});

test('parseLabel accepts key=value and explains bad input', async () => {
  assert.deepEqual(parseLabel('gpu=h100'), { key: 'gpu', value: 'h100' });
  assert.deepEqual(parseLabel('url=http://x/?a=b'), { key: 'url', value: 'http://x/?a=b' });
  assert.deepEqual(parseLabels(['a=1', 'b=2']), { a: '1', b: '2' });
  const bad: [string, RegExp][] = [
    ['gpu', /label "gpu": expected key=value/],
    ['=x', /key is empty/],
    ['gpu=', /label "gpu": value is empty/],
    ['bad key=x', /label key "bad key"/],
    ['1abc=x', /label key "1abc"/],
  ];
  for (const [text, pattern] of bad) {
    assert.throws(() => parseLabel(text), (e) => e instanceof StoreError && e.code === 'invalid_input' && pattern.test(e.message), text);
  }
  assert.throws(() => parseLabels(['a=1', 'a=2']), /label "a" given twice/);
});
