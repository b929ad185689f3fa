// test-lane: timing (checks timing against real servers; runs alone)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAIClient } from '../src/client/openai-client.js';
import { createClock } from '../src/measure/clock.js';
import type { RequestRecord } from '../src/measure/record.js';
import type { RequestSpec } from '../src/workload/spec.js';
import { clientConfigFor, startTimingServer, type TimingServer } from './support/timing-server.js';

let server: TimingServer;
before(async () => {
  server = await startTimingServer();
  // Warm the code paths (JIT, module loading) so the first timed test measures steady-state behaviour.
  server.setBehavior({ outputTokens: 4 });
  for (let i = 0; i < 3; i++) await run({ includeUsage: i !== 0 }, spec(4));
});
after(() => server.close());

const spec = (max_tokens: number | null = 10): RequestSpec => ({ prompt: 'Hello', max_tokens, exact_output: false, input_tokens: 3 });
const ctx = { index: 0, warmup: false, t_sched: 0 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function run(config = {}, s: RequestSpec = spec()): Promise<RequestRecord> {
  const client = createOpenAIClient(clientConfigFor(server, config), createClock());
  try {
    return await client.send(s, ctx);
  } finally {
    await client.close();
  }
}

test('TTFT and ITL match the server schedule (ttft 80 ms, itl 20 ms, 10 tokens)', async () => {
  server.setBehavior({ ttftMs: 80, itlMs: 20, outputTokens: 10 });
  const r = await run();
  assert.equal(r.ok, true, r.error?.message);
  assert.equal(r.chunks.length, 10);
  const ttft = (r.chunks[0] as { t: number }).t - r.t_send;
  assert.ok(ttft >= 78 && ttft <= 105, `ttft ${ttft}`);
  const gaps = r.chunks.slice(1).map((c, i) => c.t - (r.chunks[i] as { t: number }).t);
  assert.ok(Math.abs(median(gaps) - 20) <= 15, `median itl ${median(gaps)}`);
  const e2e = (r.chunks.at(-1) as { t: number }).t - r.t_send;
  assert.ok(e2e >= 80 + 9 * 20 - 5 && e2e <= 80 + 9 * 20 + 40, `e2e ${e2e}`);
  assert.ok(r.t_headers !== null && r.t_headers - r.t_send < 40, 'headers arrive before the first token');
  assert.ok(r.t_end >= (r.chunks.at(-1) as { t: number }).t);
  assert.equal(r.output_tokens, 10);
  assert.equal(r.output_tokens_source, 'usage');
  assert.deepEqual(r.output_tokens_alt, { chunks: 10 });
  assert.equal(r.finish_reason, 'length');
  assert.equal(r.input_tokens_source, 'usage');
  assert.equal(r.requested_output_tokens, 10);
});

test('per-gap ITL schedule: one long gap shows up where scheduled', async () => {
  server.setBehavior({ ttftMs: 10, itlMs: [10, 70, 10], outputTokens: 4 });
  const r = await run({}, spec(4));
  const gaps = r.chunks.slice(1).map((c, i) => c.t - (r.chunks[i] as { t: number }).t);
  assert.ok(Math.abs((gaps[1] as number) - 70) <= 15, `gaps ${gaps.join(', ')}`);
  assert.ok((gaps[0] as number) < 40 && (gaps[2] as number) < 40, `gaps ${gaps.join(', ')}`);
});

test('role-only first chunk is not a token: TTFT comes from the first content chunk', async () => {
  server.setBehavior({ ttftMs: 60, itlMs: 5, outputTokens: 3, roleChunk: true });
  const r = await run();
  assert.equal(r.chunks.length, 3);
  assert.ok((r.chunks[0] as { t: number }).t - r.t_send >= 55, 'role chunk arrived at once but is not counted');
});

test('multi-token chunks: chunk count and usage differ, TPOT inputs are right', async () => {
  server.setBehavior({ ttftMs: 10, itlMs: 10, outputTokens: 12, tokensPerChunk: 4 });
  const r = await run({}, spec(12));
  assert.equal(r.ok, true);
  assert.equal(r.chunks.length, 3);
  assert.equal(r.output_tokens, 12);
  assert.equal(r.output_tokens_alt?.chunks, 3);
});

test('per-chunk cumulative usage gives tokens per chunk; final usage still preferred', async () => {
  server.setBehavior({ outputTokens: 6, tokensPerChunk: 2, chunkUsage: true });
  const r = await run({}, spec(6));
  assert.deepEqual(r.chunks.map((c) => c.tokens), [2, 2, 2]);
  assert.equal(r.output_tokens_source, 'usage');
  assert.deepEqual(r.output_tokens_alt, { chunk_usage: 6, chunks: 3 });
  const noFinal = await run({ includeUsage: false }, spec(6));
  assert.equal(noFinal.output_tokens_source, 'chunk_usage');
  assert.equal(noFinal.output_tokens, 6);
});

test('usage-only final chunk is not token-bearing', async () => {
  server.setBehavior({ outputTokens: 4 });
  const r = await run({}, spec(4));
  assert.equal(r.chunks.length, 4);
  assert.equal(r.output_tokens, 4);
});

test('no usage -> client tokenizer on the full text', async () => {
  server.setBehavior({ outputTokens: 7, tokensPerChunk: 3, usage: false });
  const r = await run({ includeUsage: false }, spec(7));
  assert.equal(r.ok, true);
  assert.equal(r.output_tokens_source, 'tokenizer');
  assert.equal(r.output_tokens, 7);
  assert.deepEqual(r.output_tokens_alt, { chunks: 3 });
  assert.equal(r.input_tokens_source, 'tokenizer');
  assert.equal(r.input_tokens, 3);
  assert.equal(r.output_chars, 7 * 4);
});

test('reasoning chunks are token-bearing and flagged', async () => {
  server.setBehavior({ ttftMs: 30, outputTokens: 5, reasoningTokens: 2 });
  const r = await run({}, spec(5));
  assert.equal(r.chunks.length, 5);
  assert.deepEqual(r.chunks.map((c) => c.reasoning), [true, true, false, false, false]);
  assert.ok((r.chunks[0] as { t: number }).t - r.t_send >= 28);
  server.setBehavior({ outputTokens: 2, reasoningTokens: 2, reasoningField: 'reasoning' });
  const r2 = await run({}, spec(2));
  assert.equal(r2.chunks.length, 2);
  assert.equal(r2.chunks[0]?.reasoning, true);
});

test('SSE comments / pings and \\r\\n line endings are ignored', async () => {
  server.setBehavior({ outputTokens: 5, comments: true, lineEnding: '\r\n' });
  const r = await run({}, spec(5));
  assert.equal(r.ok, true);
  assert.equal(r.chunks.length, 5);
  server.setBehavior({ outputTokens: 3, lineEnding: '\r' });
  assert.equal((await run({}, spec(3))).chunks.length, 3);
});

test('completions API: POST /completions with prompt, text chunks', async () => {
  server.setBehavior({ outputTokens: 4 });
  const before = server.requests.length;
  const r = await run({ api: 'completions', saveText: true }, spec(4));
  assert.equal(r.ok, true);
  assert.equal(r.chunks.length, 4);
  assert.equal(r.output_text, ' tok'.repeat(4));
  const req = server.requests[before];
  assert.equal(req?.path, '/v1/completions');
  assert.equal(req?.body?.prompt, 'Hello');
});

test('request body and headers', async () => {
  server.setBehavior({ outputTokens: 2 });
  const before = server.requests.length;
  await run(
    { apiKey: 'sk-secret', headers: { 'X-Trace': 'abc' }, exactOutputFields: { ignore_eos: true, min_tokens: true }, extraBody: { temperature: 0 } },
    { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }], max_tokens: 2, exact_output: true, input_tokens: 2 },
  );
  const req = server.requests[before];
  assert.equal(req?.path, '/v1/chat/completions');
  assert.equal(req?.headers.authorization, 'Bearer sk-secret');
  assert.equal(req?.headers['x-trace'], 'abc');
  assert.deepEqual(req?.body, {
    model: 'test-model',
    messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }],
    stream: true,
    max_tokens: 2,
    stream_options: { include_usage: true },
    ignore_eos: true,
    min_tokens: 2,
    temperature: 0,
  });
  // Without max_tokens and exact_output: neither max_tokens nor the exact-output fields.
  const b2 = server.requests.length;
  await run({ includeUsage: false, exactOutputFields: { ignore_eos: true, min_tokens: true } }, spec(null));
  assert.deepEqual(server.requests[b2]?.body, { model: 'test-model', messages: [{ role: 'user', content: 'Hello' }], stream: true });
});

test('50 concurrent requests all succeed over keep-alive sockets', async () => {
  server.setBehavior({ ttftMs: 20, itlMs: 5, outputTokens: 8 });
  const client = createOpenAIClient(clientConfigFor(server, { connections: 50 }), createClock());
  try {
    const first = await Promise.all(Array.from({ length: 50 }, (_, i) => client.send(spec(8), { ...ctx, index: i })));
    assert.ok(first.every((r) => r.ok && r.chunks.length === 8));
    const accepted = server.totalConnections();
    const second = await Promise.all(Array.from({ length: 50 }, (_, i) => client.send(spec(8), { ...ctx, index: 50 + i })));
    assert.ok(second.every((r) => r.ok));
    assert.equal(server.totalConnections(), accepted, 'the second wave reused the sockets of the first');
    assert.deepEqual(second.map((r) => r.index), Array.from({ length: 50 }, (_, i) => 50 + i));
  } finally {
    await client.close();
  }
});
