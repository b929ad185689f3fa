// test-lane: timing (checks send times against a trace's; runs alone)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark } from '../src/index.js';
import { loadTrace } from '../src/workload/trace.js';
import { createTraceWorkload } from '../src/workload/trace-workload.js';
import { countTokens } from '../src/text/tokenizer.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inferscope-trace-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// Azure LLM inference trace columns; rows out of order on purpose, one with 0 generated tokens.
const AZURE = file(
  'azure.csv',
  [
    'TIMESTAMP,ContextTokens,GeneratedTokens',
    '2023-11-16 18:15:46.6805900,120,10',
    '2023-11-16 18:15:46.9305900,80,6',
    '2023-11-16 18:15:46.7805900,200,0',
    '2023-11-16 18:15:47.0805900,64,12',
    '2023-11-16 18:15:47.0805900,64,4',
    '2023-11-16 18:15:47.3805900,150,8',
    '',
  ].join('\n'),
);

test('Azure CSV: sorted by time, relative to the first request, lengths read, 0 outputs counted', () => {
  const t = loadTrace(AZURE);
  assert.equal(t.format, 'azure-csv');
  assert.deepEqual(t.entries.map((e) => Math.round(e.timeMs)), [0, 100, 250, 400, 400, 700]);
  assert.deepEqual(t.entries.map((e) => e.inputTokens), [120, 200, 80, 64, 64, 150]);
  assert.deepEqual(t.entries.map((e) => e.outputTokens), [10, 1, 6, 12, 4, 8]);
  assert.equal(t.zeroOutputs, 1);
});

test('bad trace lines are named with file and line', () => {
  assert.throws(() => loadTrace(file('bad.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,12,3\nyesterday,5,5\n')), /bad\.csv:3: TIMESTAMP must look like/);
  assert.throws(() => loadTrace(file('cols.csv', 'time,in,out\n1,2,3\n')), /cols\.csv:1: .*missing TIMESTAMP/);
  assert.throws(() => loadTrace(file('bad.jsonl', '{"timestamp": 0, "input_length": 10, "output_length": 2}\n{"timestamp": 5, "input_length": -1, "output_length": 2}\n')), /bad\.jsonl:2: input_length must be an integer >= 1/);
  assert.throws(() => loadTrace(file('ids.jsonl', '{"timestamp": 0, "input_length": 600, "output_length": 2, "hash_ids": [1, 2, 3]}\n')), /ids\.jsonl:1: 3 hash_ids for 600 input tokens/);
});

test('Mooncake JSONL: requests sharing leading hash ids share exactly those 512-token blocks of prompt', () => {
  const t = loadTrace(
    file(
      'mooncake.jsonl',
      [
        { timestamp: 0, input_length: 1300, output_length: 5, hash_ids: [0, 1, 2] },
        { timestamp: 30, input_length: 1100, output_length: 5, hash_ids: [0, 1, 7] },
        { timestamp: 60, input_length: 700, output_length: 5, hash_ids: [9, 10] },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    ),
  );
  assert.equal(t.format, 'mooncake-jsonl');
  const w = createTraceWorkload({ entries: t.entries, seed: 1, exactOutput: true, nonce: '654321', name: 't' });
  const [a, b, c] = [0, 1, 2].map((i) => w.spec(i).prompt!);
  for (const [i, p] of [a!, b!, c!].entries()) assert.equal(countTokens(p), t.entries[i]!.inputTokens);
  const common = (x: string, y: string): number => {
    let k = 0;
    while (k < x.length && x[k] === y[k]) k++;
    return countTokens(x.slice(0, k));
  };
  // Nonce line plus two shared blocks; then the prompts differ.
  const nonce = countTokens('Run 654321:\n');
  assert.ok(Math.abs(common(a!, b!) - (nonce + 1024)) <= 2, `shared ${common(a!, b!)} tokens`);
  assert.ok(common(a!, c!) <= nonce + 1, `unrelated prompts share ${common(a!, c!)} tokens`);
  assert.equal(w.spec(1).max_tokens, 5);
});

test('--trace replays the send times (scaled by --time-scale) and lengths against a server', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 2 } });
  try {
    const { results, records } = await runBenchmark({ url: server.url, model: 'm', trace: AZURE, timeScale: 0.5, scrape: false, probe: false, calibrate: false });
    assert.equal(results.summary.requests.succeeded, 6);
    const sorted = [...records].sort((x, y) => x.t_sched - y.t_sched);
    const start = sorted[0]!.t_sched;
    assert.deepEqual(sorted.map((r) => Math.round(r.t_sched - start)), [0, 50, 125, 200, 200, 350]);
    for (const r of sorted) assert.ok(r.t_send - r.t_sched < 15, `sent ${(r.t_send - r.t_sched).toFixed(1)} ms late`);
    assert.deepEqual(server.requests.filter((q) => q.body).map((q) => q.body!.max_tokens).sort((x, y) => Number(x) - Number(y)), [1, 4, 6, 8, 10, 12]);
    assert.equal((results.run.config as { arrival?: string }).arrival, 'trace');
    const limited = await runBenchmark({ url: server.url, model: 'm', trace: AZURE, requests: 3, scrape: false, probe: false, calibrate: false });
    assert.equal(limited.records.length, 3);
  } finally {
    await server.close();
  }
});

test('--trace on the CLI: conflicting load options are usage errors; bench --trace runs on the embedded engine', async () => {
  const clash = await runCli(['bench', '--trace', AZURE, '--rate', '5', '--no-db']);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /--trace sets the arrival times and lengths; --rate does not apply/);
  const sweep = await runCli(['sweep', '--trace', AZURE, '--concurrency', '1,2', '--no-db']);
  assert.equal(sweep.code, 2);
  const r = await runCli(['bench', '--trace', AZURE, '--no-db', '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.summary.requests.succeeded, 6);
});
