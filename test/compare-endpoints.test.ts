// test-lane: timing (speeds measured against timing servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

test('compare-endpoints: one leaderboard of two endpoints over two shapes, speed in tokens, characters and words, scaling', async () => {
  // "fast": 2 ms per token, one word per token; "slow": 6 ms per token, two tokens per word.
  const fast = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 2, tokenText: ' tok' } });
  const slow = await startTimingServer({ behavior: { ttftMs: 30, itlMs: 6, tokenText: (i: number) => (i % 2 === 0 ? ' to' : 'ken') } });
  try {
    const r = await runCli(
      ['compare-endpoints', '--target', `slow=${slow.url}`, '--target', `fast=${fast.url}`, '--target-gpus', 'slow=1', '--target-gpus', 'fast=2',
        '--shape', '16/120', '--shape', '16/20', '--requests', '6', '--concurrency', '2', '--warmup', '0', '--no-probe', '--no-calibrate', '--no-scrape', '--no-db', '--model', 'm', '--json'],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 2, 'per-target options only: --model is not a compare-endpoints option');
    const ok = await runCli(
      ['compare-endpoints', '--target', `slow=${slow.url}`, '--target', `fast=${fast.url}`, '--target-model', 'slow=m', '--target-model', 'fast=m',
        '--target-gpus', 'slow=1', '--target-gpus', 'fast=2', '--shape', '16/120', '--shape', '16/20',
        '--requests', '6', '--concurrency', '2', '--warmup', '0', '--no-probe', '--no-calibrate', '--no-scrape', '--no-db', '--json'],
      { timeoutMs: 120_000 },
    );
    assert.equal(ok.code, 0, ok.stderr);
    const doc = JSON.parse(ok.stdout);
    assert.deepEqual(doc.shapes, ['16/120', '16/20']);
    assert.equal(doc.rows.length, 4);
    const row = (name: string, shape: string) => doc.rows.find((x: { endpoint: string; shape: string }) => x.endpoint === name && x.shape === shape);
    const f = row('fast', '16/120');
    const s = row('slow', '16/120');
    assert.ok(f.tokens_per_s_per_user > 300 && f.tokens_per_s_per_user < 520, `fast ${f.tokens_per_s_per_user} tok/s/user`);
    assert.ok(s.tokens_per_s_per_user > 120 && s.tokens_per_s_per_user < 175, `slow ${s.tokens_per_s_per_user} tok/s/user`);
    assert.ok(Math.abs(f.tokens_per_word - 1) < 0.01, `fast tokens/word ${f.tokens_per_word}`);
    assert.ok(Math.abs(s.tokens_per_word - 2) < 0.05, `slow tokens/word ${s.tokens_per_word}`);
    // 120-token answers: the 100th token's time is measured; 20-token answers fall back to TTFT + 99 x TPOT.
    assert.equal(f.time_to_100_tokens_method, 'measured');
    assert.ok(f.time_to_100_tokens_ms > 10 + 99 * 2 - 5 && f.time_to_100_tokens_ms < 10 + 99 * 2 + 120, `fast 100 tokens in ${f.time_to_100_tokens_ms} ms`);
    assert.equal(row('fast', '16/20').time_to_100_tokens_method, 'computed');
    // Scaling within a shape, against the 1-GPU configuration.
    assert.equal(s.scaling_efficiency, 1);
    assert.ok(Math.abs(f.output_tokens_per_s_per_gpu - f.output_tokens_per_s / 2) < 1e-9);
    assert.ok(f.scaling_efficiency > 0.5, `fast scaling ${f.scaling_efficiency}`);
    const table = await runCli(
      ['compare-endpoints', '--target', `slow=${slow.url}`, '--target', `fast=${fast.url}`, '--target-model', 'slow=m', '--target-model', 'fast=m', '--shape', '16/20',
        '--requests', '4', '--concurrency', '2', '--warmup', '0', '--no-probe', '--no-calibrate', '--no-scrape', '--no-db'],
      { timeoutMs: 120_000 },
    );
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    // The leaderboard ranks the fastest per user first.
    assert.match(lines.find((l) => /^\s*1\s/.test(l)) ?? '', /fast/);
    assert.match(table.stdout, /tok\/s\/user +chars\/s +words\/s +tok\/word/);
    assert.match(table.stdout, /\* = computed as TTFT p50 \+ 99 x TPOT p50/);
  } finally {
    await fast.close();
    await slow.close();
  }
});

test('compare-endpoints: bad targets and shapes are usage errors that name the flag', async () => {
  const none = await runCli(['compare-endpoints', '--no-db']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--target NAME=URL/);
  const unknown = await runCli(['compare-endpoints', '--target', 'a=http://127.0.0.1:9/v1', '--target-gpus', 'b=2', '--no-db']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--target-gpus: no --target named "b"/);
  const shape = await runCli(['compare-endpoints', '--target', 'a=http://127.0.0.1:9/v1', '--shape', '100x300', '--no-db']);
  assert.equal(shape.code, 2);
  assert.match(shape.stderr, /--shape: give input\/output tokens like 100\/300/);
});

test('workload shapes: IN/OUT, k suffixes, the N-in/M-out spelling and the chat and long presets', async () => {
  const { parseShape } = await import('../src/endpoints/run-endpoints.js');
  assert.deepEqual(parseShape('100/300'), { label: '100/300', inputTokens: '100', outputTokens: '300' });
  assert.equal(parseShape('1k/1k').label, '1000/1000');
  assert.equal(parseShape('100-in/300-out').label, '100/300');
  assert.equal(parseShape('chat').label, '100/300');
  assert.equal(parseShape('long').label, '1000/1000');
});
