// test-lane: timing (two processes share one schedule by wall clock; runs alone)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inferscope-shards-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const quiet = ['--no-db', '--no-probe', '--no-calibrate', '--no-scrape', '--warmup', '0', '--model', 'm'];

test('two shards of one open-loop schedule, started at one wall-clock instant, merge into the one-process run', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 2, outputTokens: 8 } });
  try {
    const load = ['--url', server.url, '--rate', '20', '--arrival', 'constant', '--requests', '40', ...quiet];
    const startAt = new Date(Date.now() + 3000).toISOString();
    const [a, b] = await Promise.all(
      [0, 1].map((k) => runCli(['bench', ...load, '--shard', `${k}/2`, '--start-at', startAt, '--out', join(dir, `s${k}`), '--json'], { timeoutMs: 60_000 })),
    );
    assert.equal(a!.code, 0, a!.stderr);
    assert.equal(b!.code, 0, b!.stderr);
    // Shard 0 sent the even indices, shard 1 the odd ones.
    const indices = (k: number) => readFileSync(join(dir, `s${k}`, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).index as number);
    assert.ok(indices(0).every((i) => i % 2 === 0) && indices(0).length === 20);
    assert.ok(indices(1).every((i) => i % 2 === 1) && indices(1).length === 20);
    const merged = await runCli(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'merged'), '--no-db', '--json']);
    assert.equal(merged.code, 0, merged.stderr);
    const doc = JSON.parse(merged.stdout);
    assert.equal(doc.summary.requests.total, 40);
    assert.equal(doc.summary.requests.succeeded, 40);
    const records = readFileSync(join(dir, 'merged', 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number; t_sched: number });
    assert.deepEqual(records.map((r) => r.index).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i));
    // On one clock, the intended send times are the schedule's: 50 ms apart across both processes.
    const t = records.sort((x, y) => x.index - y.index).map((r) => r.t_sched);
    for (let i = 1; i < t.length; i++) assert.ok(Math.abs(t[i]! - t[i - 1]! - 50) < 3, `gap ${i}: ${(t[i]! - t[i - 1]!).toFixed(2)} ms`);
    // Within timing noise of one process running the whole schedule.
    const one = await runCli(['bench', ...load, '--json'], { timeoutMs: 60_000 });
    const single = JSON.parse(one.stdout);
    assert.ok(Math.abs(doc.summary.ttft_ms.p50 - single.summary.ttft_ms.p50) < 5, `TTFT p50 merged ${doc.summary.ttft_ms.p50} vs one process ${single.summary.ttft_ms.p50}`);
    assert.ok(Math.abs(doc.summary.throughput.requests_per_s - single.summary.throughput.requests_per_s) < 1.5);
    assert.equal(doc.run.config.merged_shards.length, 2);
  } finally {
    await server.close();
  }
});

test('a closed loop split over shards keeps the total concurrency; merge names missing shards, duplicates and lost requests', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 1, outputTokens: 4 } });
  try {
    const load = ['--url', server.url, '--concurrency', '3', '--requests', '30', ...quiet];
    for (const k of [0, 1, 2]) {
      const r = await runCli(['bench', ...load, '--shard', `${k}/3`, '--out', join(dir, `c${k}`)], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(readFileSync(join(dir, `c${k}`, 'results.json'), 'utf8'));
      assert.equal(doc.summary.requests.total, 10);
      // Concurrency 3 over 3 shards: one in flight each.
      assert.equal(doc.summary.throughput.concurrency.max, 1);
    }
    const ok = await runCli(['merge', join(dir, 'c0'), join(dir, 'c1'), join(dir, 'c2'), '--no-db', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).summary.requests.total, 30);
    const missing = await runCli(['merge', join(dir, 'c0'), join(dir, 'c1'), '--no-db']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing shard 2\/3/);
    const twice = await runCli(['merge', join(dir, 'c0'), join(dir, 'c0'), join(dir, 'c1'), '--no-db']);
    assert.match(twice.stderr, /shard 0\/3 is given twice/);
    const lines = readFileSync(join(dir, 'c1', 'requests.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(dir, 'c1', 'requests.jsonl'), lines.slice(1).join('\n') + '\n');
    const lost = await runCli(['merge', join(dir, 'c0'), join(dir, 'c1'), join(dir, 'c2'), '--no-db']);
    assert.equal(lost.code, 2);
    assert.match(lost.stderr, new RegExp(`missing request index ${JSON.parse(lines[0]!).index} of the schedule`));
    const bad = await runCli(['bench', '--shard', '2/2', '--no-db']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--shard: give K\/N with 0 <= K < N/);
  } finally {
    await server.close();
  }
});

test('bench --workers N: N client processes run the shards from one start and the run comes back merged', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 1, outputTokens: 6 } });
  try {
    const r = await runCli(['bench', '--url', server.url, '--workers', '2', '--concurrency', '4', '--requests', '40', ...quiet, '--json'], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.summary.requests.total, 40);
    assert.equal(doc.summary.requests.succeeded, 40);
    assert.ok(doc.summary.throughput.concurrency.max <= 4, `in flight at most 4 in total: ${doc.summary.throughput.concurrency.max}`);
    assert.deepEqual(doc.run.config.merged_shards.map((s: { shard: string }) => s.shard), ['0/2', '1/2']);
    assert.ok(Array.isArray(doc.diagnosis.findings));
    const embedded = await runCli(['bench', '--workers', '2', '--no-db']);
    assert.equal(embedded.code, 2);
    assert.match(embedded.stderr, /--workers needs --url/);
  } finally {
    await server.close();
  }
});

test('a closed loop of concurrency 64 over 2 workers keeps 64 requests in flight in total', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 60, itlMs: 5, outputTokens: 20 } });
  try {
    const r = await runCli(['bench', '--url', server.url, '--workers', '2', '--concurrency', '64', '--requests', '640', ...quiet, '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.summary.requests.succeeded, 640);
    assert.equal(doc.summary.throughput.concurrency.max, 64);
    assert.ok(doc.summary.throughput.concurrency.mean > 48, `mean in flight ${doc.summary.throughput.concurrency.mean}`);
  } finally {
    await server.close();
  }
});
