// test-lane: timing (checks timing against real servers; runs alone)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedServer } from '../src/engine/server.js';
import type { EmbeddedServer } from '../src/engine/server.js';
import { sampleValue, streamProbe } from './support/engine-probe.js';

// Continuous batching, queueing beyond --parallel, and slot release on disconnect, on real inference.
let cacheDir: string;
const servers: EmbeddedServer[] = [];

before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'engine-batching-'));
});

after(async () => {
  for (const s of servers) await s.close();
  await rm(cacheDir, { recursive: true, force: true });
});

async function start(parallel: number): Promise<EmbeddedServer> {
  const s = await startEmbeddedServer({ preset: 'tiny', cacheDir, parallel });
  servers.push(s);
  return s;
}

async function scrape(s: EmbeddedServer): Promise<string> {
  return (await fetch(s.url.replace(/\/v1$/, '/metrics'))).text();
}

/** Polls /metrics until `done` settles, returning the largest value seen of each gauge. */
async function watchGauges(s: EmbeddedServer, done: Promise<unknown>): Promise<{ running: number; waiting: number; kv: number }> {
  const max = { running: 0, waiting: 0, kv: 0 };
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const text = await scrape(s);
    max.running = Math.max(max.running, sampleValue(text, 'vllm:num_requests_running') ?? 0);
    max.waiting = Math.max(max.waiting, sampleValue(text, 'vllm:num_requests_waiting') ?? 0);
    max.kv = Math.max(max.kv, sampleValue(text, 'vllm:kv_cache_usage_perc') ?? 0);
    await sleep(5);
  }
  return max;
}

test('concurrent requests all complete, run together in one batch, and extra ones queue', async () => {
  const s = await start(2);
  const body = { prompt: 'Tell me a long story about a queue.', max_tokens: 300, ignore_eos: true, stream_options: { include_usage: true } };
  const all = Promise.all(Array.from({ length: 4 }, () => streamProbe(s.url, '/completions', body)));
  const [results, seen] = await Promise.all([all, watchGauges(s, all)]);
  for (const r of results) {
    assert.equal(r.status, 200);
    assert.equal(r.pieces.length, 300, JSON.stringify({ usage: r.usage, finish: r.finishReason, done: r.sawDone, events: r.events.length, head: r.pieces.slice(0, 30) }));
    assert.equal(r.usage?.completion_tokens, 300);
  }
  assert.ok(seen.running > 1, `running gauge should exceed 1 while batched, max seen ${seen.running}`);
  assert.ok(seen.running <= 2, 'never more running than --parallel');
  assert.ok(seen.waiting > 0, `waiting gauge should exceed 0 beyond --parallel, max seen ${seen.waiting}`);
  assert.ok(seen.kv > 0 && seen.kv <= 1, `kv usage in (0, 1], got ${seen.kv}`);
  // Two requests decoded together overlap in time: the second pair starts only after the first pair ends.
  const firstTokenTimes = results.map((r) => r.pieceTimes[0]!).sort((a, b) => a - b);
  const endTimes = results.map((r) => r.pieceTimes.at(-1)!).sort((a, b) => a - b);
  assert.ok(firstTokenTimes[1]! < endTimes[0]!, 'two requests were decoding at the same time');
  const text = await scrape(s);
  assert.equal(sampleValue(text, 'vllm:generation_tokens_total'), 1200);
  assert.equal(sampleValue(text, 'vllm:request_success_total', { finished_reason: 'length' }), 4);
  assert.equal(sampleValue(text, 'vllm:request_queue_time_seconds_count'), 4);
});

test('client disconnect frees the slot at once for the next queued request', async () => {
  const s = await start(1);
  const longTokens = 1900;
  const ac = new AbortController();
  let firstPiece!: () => void;
  const started = new Promise<void>((r) => (firstPiece = r));
  const long = streamProbe(s.url, '/completions', { prompt: 'hold the slot', max_tokens: longTokens, ignore_eos: true }, {
    signal: ac.signal,
    onPiece: (_t, i) => {
      if (i === 0) firstPiece();
    },
  }).catch((err: unknown) => err);
  await started;
  const queued = streamProbe(s.url, '/completions', { prompt: 'next please', max_tokens: 5, ignore_eos: true, stream_options: { include_usage: true } });
  // Wait until the second request is seen queued behind the first.
  for (let i = 0; i < 200; i++) {
    if ((sampleValue(await scrape(s), 'vllm:num_requests_waiting') ?? 0) > 0) break;
    await sleep(5);
  }
  assert.equal(sampleValue(await scrape(s), 'vllm:num_requests_waiting'), 1);
  ac.abort();
  const next = await queued;
  await long;
  assert.equal(next.status, 200);
  assert.equal(next.pieces.length, 5);
  const text = await scrape(s);
  assert.equal(sampleValue(text, 'vllm:request_success_total', { finished_reason: 'abort' }), 1);
  assert.equal(sampleValue(text, 'vllm:request_success_total', { finished_reason: 'length' }), 1);
  const generated = sampleValue(text, 'vllm:generation_tokens_total')!;
  assert.ok(generated - 5 < longTokens, `the aborted request stopped early (${generated - 5} of ${longTokens} tokens)`);
  assert.equal(sampleValue(text, 'vllm:num_requests_running'), 0);
  assert.equal(sampleValue(text, 'vllm:kv_cache_usage_perc'), 0, 'the aborted sequence was cleared');
});
