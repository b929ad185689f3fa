// test-lane: timing (checks timing against real servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmark } from '../src/benchmark/run-benchmark.js';
import { startTimingServer } from './support/timing-server.js';

test('4 tokens per chunk, usage only at the end: TPOT is the server decode time per token (20 ms), not 18.1', async (t) => {
  // 32 tokens in 8 chunks 80 ms apart: t_last - t_first = 560 ms over N - n1 = 32 - 4 tokens.
  const server = await startTimingServer({ behavior: { ttftMs: 20, itlMs: 80, outputTokens: 32, tokensPerChunk: 4 }, recordBodies: false });
  t.after(() => server.close());
  const { results, records } = await runBenchmark({ url: server.url, model: 'test-model', requests: 6, concurrency: 2, outputTokens: '32', scrape: false, probe: false });
  for (const r of records) {
    assert.deepEqual(r.first_chunk_tokens, { count: 4, method: 'text_share' });
    assert.equal(r.output_tokens, 32);
  }
  const tpot = results.summary.tpot_ms.p50!;
  assert.ok(Math.abs(tpot - 20) < 1.5, `TPOT p50 ${tpot.toFixed(2)} ms`);
});

test('one token per chunk needs no estimate; per-chunk counts from the server are used as they are', async (t) => {
  const server = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 20, outputTokens: 10 }, recordBodies: false });
  t.after(() => server.close());
  const one = await runBenchmark({ url: server.url, model: 'test-model', requests: 2, concurrency: 1, outputTokens: '10', scrape: false, probe: false });
  assert.deepEqual(one.records[0]!.first_chunk_tokens, { count: 1, method: 'one_per_chunk' });
  server.setBehavior({ ttftMs: 10, itlMs: 40, outputTokens: 12, tokensPerChunk: 3, chunkUsage: true });
  const counted = await runBenchmark({ url: server.url, model: 'test-model', requests: 2, concurrency: 1, outputTokens: '12', scrape: false, probe: false });
  assert.equal(counted.records[0]!.first_chunk_tokens, undefined);
  assert.equal(counted.records[0]!.chunks[0]!.tokens, 3);
  assert.ok(Math.abs(counted.results.summary.tpot_ms.p50! - 40 / 3) < 1.5, `TPOT ${counted.results.summary.tpot_ms.p50}`);
});
