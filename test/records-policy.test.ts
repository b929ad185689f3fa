// test-lane: timing (runs against a server with known timing and compares figures; runs alone)
// --records sample:R|none: the run keeps a share of its records (or none), its figures come from HDR histograms of
// every request and agree with a run that kept all; shards that kept none merge by adding histograms.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTimingServer } from './support/timing-server.js';
import { BIN, runCli } from './support/cli.js';
import { spawn } from 'node:child_process';
import { loadRun } from '../src/results/load-run.js';
import { parseRecordsPolicy, retainRule } from '../src/benchmark/records-policy.js';
import { makeRecord } from './support/record-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'inferscope-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const quiet = ['--no-db', '--no-probe', '--no-calibrate', '--no-scrape', '--warmup', '2', '--model', 'm'];
const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');

test('--records none and sample:R keep what they say; the summary agrees with a run that kept every record', { timeout: 120_000 }, async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 20, itlMs: 4, outputTokens: 10 } });
  try {
    const load = ['--url', server.url, '--concurrency', '4', '--requests', '200', ...quiet];
    const runs: Record<string, { summary: Record<string, any>; aggregate?: unknown }> = {};
    for (const records of ['all', 'none', 'sample:25%']) {
      const out = join(dir, records.replace(/\W/g, '_'));
      const r = await runCli(['bench', ...load, '--records', records, '--out', out], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      runs[records] = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      const kept = lines(join(out, 'requests.jsonl')).map((l) => JSON.parse(l).index as number);
      if (records === 'all') assert.equal(kept.length, 202);
      if (records === 'none') assert.equal(kept.length, 0);
      if (records === 'sample:25%') {
        // The same requests every time: chosen by index.
        const keep = retainRule(parseRecordsPolicy(records))!;
        const expected = Array.from({ length: 202 }, (_, i) => i).filter((i) => keep(makeRecord({ index: i })));
        assert.deepEqual(kept.sort((a, b) => a - b), expected);
        assert.ok(expected.length > 30 && expected.length < 75, `${expected.length} of 202 kept`);
      }
      if (records === 'sample:25%') assert.match(r.stdout, /percentiles from HDR histograms of every request \(within 0\.1%\); per-request records kept: sample:25%/);
    }
    const all = runs['all']!.summary;
    for (const mode of ['none', 'sample:25%']) {
      const s = runs[mode]!.summary;
      assert.ok(runs[mode]!.aggregate, `${mode}: results.json carries the histograms`);
      assert.equal(s.percentile_relative_error, 0.001);
      assert.deepEqual(s.requests, all.requests, mode);
      assert.equal(s.tokens.output.total, all.tokens.output.total);
      assert.equal(s.ttft_ms.count, 200);
      assert.equal(s.itl_ms.count, all.itl_ms.count);
      // Different runs of one server: the figures agree within timing noise (the server's TTFT is 20 ms, its ITL 4 ms).
      assert.ok(Math.abs(s.ttft_ms.p50 - all.ttft_ms.p50) < 4, `${mode} TTFT p50 ${s.ttft_ms.p50} vs ${all.ttft_ms.p50}`);
      assert.ok(Math.abs(s.tpot_ms.p50 - all.tpot_ms.p50) < 1, `${mode} TPOT p50 ${s.tpot_ms.p50} vs ${all.tpot_ms.p50}`);
      assert.ok(s.ttft_ms.p50 >= 20 && s.itl_ms.p50 >= 3.5, `${mode}: ${s.ttft_ms.p50} ${s.itl_ms.p50}`);
      assert.ok(Math.abs(s.throughput.concurrency.mean - all.throughput.concurrency.mean) < 0.5);
      assert.ok(s.throughput.concurrency.max >= 3 && s.throughput.concurrency.max <= 4);
      assert.ok(s.fidelity && s.fidelity.status !== undefined);
    }
  } finally {
    await server.close();
  }
});

test('shards that kept no records merge by adding their histograms; a missing request is reported', { timeout: 120_000 }, async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 2, outputTokens: 6 } });
  try {
    const load = ['--url', server.url, '--rate', '40', '--arrival', 'constant', '--requests', '60', ...quiet, '--warmup', '0', '--records', 'none'];
    const startAt = new Date(Date.now() + 3000).toISOString();
    const shards = await Promise.all([0, 1].map((k) => runCli(['bench', ...load, '--shard', `${k}/2`, '--start-at', startAt, '--out', join(dir, `n${k}`)], { timeoutMs: 60_000 })));
    shards.forEach((r) => assert.equal(r.code, 0, r.stderr));
    const merged = await runCli(['merge', join(dir, 'n0'), join(dir, 'n1'), '--out', join(dir, 'nm'), '--no-db', '--json']);
    assert.equal(merged.code, 0, merged.stderr);
    const doc = JSON.parse(merged.stdout);
    assert.equal(doc.summary.requests.total, 60);
    assert.equal(doc.summary.ttft_ms.count, 60);
    assert.ok(doc.aggregate, 'the merged run keeps the summed histograms');
    const parts = [0, 1].map((k) => JSON.parse(readFileSync(join(dir, `n${k}`, 'results.json'), 'utf8')).summary);
    assert.equal(doc.summary.itl_ms.count, parts[0].itl_ms.count + parts[1].itl_ms.count);
    const mean = (parts[0].ttft_ms.mean * parts[0].ttft_ms.count + parts[1].ttft_ms.mean * parts[1].ttft_ms.count) / 60;
    assert.ok(Math.abs(doc.summary.ttft_ms.mean - mean) < 1e-9, 'means combine exactly');
    assert.ok(doc.summary.ttft_ms.p50 >= Math.min(parts[0].ttft_ms.p50, parts[1].ttft_ms.p50) && doc.summary.ttft_ms.p50 <= Math.max(parts[0].ttft_ms.p50, parts[1].ttft_ms.p50));
    // On one clock: the window spans both shards' sends (60 requests at 40/s: about 1.5 s), not one shard's.
    assert.ok(doc.summary.window_s > 1.4 && doc.summary.window_s < 3, `window ${doc.summary.window_s} s`);
    // A shard whose histograms lack a request: the totals no longer add up to the schedule.
    const bad = JSON.parse(readFileSync(join(dir, 'n1', 'results.json'), 'utf8'));
    bad.aggregate.counts.counted -= 1;
    mkdirSync(join(dir, 'n1-bad'));
    writeFileSync(join(dir, 'n1-bad', 'results.json'), JSON.stringify(bad));
    const lost = await runCli(['merge', join(dir, 'n0'), join(dir, 'n1-bad'), '--no-db']);
    assert.equal(lost.code, 2, lost.stderr);
    assert.match(lost.stderr, /59 measured requests, the schedule 60: 1 missing/);
  } finally {
    await server.close();
  }
});

test('a run keeping no records and killed with SIGKILL is rebuilt from its last checkpoint, in --out and in the store', { timeout: 60_000 }, async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 20, itlMs: 5, outputTokens: 10 } });
  const out = join(dir, 'killed');
  const db = join(dir, 'killed.db');
  try {
    const flags = [...quiet.filter((f) => f !== '--no-db'), '--db', db];
    const child = spawn(process.execPath, [BIN, 'bench', '--url', server.url, '--concurrency', '4', '--duration', '60', ...flags, '--records', 'none', '--out', out], { stdio: 'ignore' });
    // Killed between checkpoints (every 5 s): 2 s after the second one appeared, when both of its writes (the file and
    // the store) are done and the third is 3 s away. A fixed delay could land between the two writes.
    const seen = new Set<string>();
    while (seen.size < 2) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        seen.add(String(JSON.parse(readFileSync(join(out, 'aggregate.json'), 'utf8')).written_at));
      } catch {
        // not written yet, or being replaced
      }
    }
    await new Promise((r) => setTimeout(r, 2_000));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    assert.ok(!existsSync(join(out, 'results.json')));
    const run = await loadRun(out);
    assert.equal(run.results.run.status, 'interrupted');
    // 4 users at ~70 ms per request for at least 5 s: hundreds of requests, none of them lost up to the checkpoint.
    assert.ok(run.results.summary.requests.total > 150, `${run.results.summary.requests.total} requests`);
    assert.equal(run.results.summary.ttft_ms.count, run.results.summary.requests.succeeded);
    assert.ok(run.results.summary.ttft_ms.p50! >= 20 && run.results.summary.ttft_ms.p50! < 40);
    assert.match(run.notes.join('\n'), /rebuilt from its last checkpoint/);
    // The store holds the same checkpoint: the run reads as interrupted with the same figures.
    const runId = JSON.parse(readFileSync(join(out, 'aggregate.json'), 'utf8')).run_id as string;
    const stored = await loadRun(runId, { db });
    assert.equal(stored.results.run.status, 'interrupted');
    assert.equal(stored.results.summary.requests.total, run.results.summary.requests.total);
    assert.equal(stored.results.summary.ttft_ms.p50, run.results.summary.ttft_ms.p50);
    assert.match(stored.notes.join('\n'), /did not finish \(interrupted\); figures are from its last checkpoint/);
    // A run that finished leaves no checkpoint beside its results.json.
    assert.ok(!existsSync(join(dir, 'none', 'aggregate.json')));
  } finally {
    await server.close();
  }
});

test('--records rejects what it does not know, naming the flag', async () => {
  const r = await runCli(['bench', '--url', 'http://127.0.0.1:9/v1', '--records', 'sample:0', '--no-db']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--records: expected all \| sample:R/);
});
