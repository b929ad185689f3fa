import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedServer } from '../src/engine/server.js';
import type { EmbeddedServer } from '../src/engine/server.js';
import { sampleValue, streamProbe } from './support/engine-probe.js';

// Real inference on the generated tiny model; one server for the whole file keeps the suite fast.
let server: EmbeddedServer;
let cacheDir: string;
// What this file served successfully, to compare with /metrics at the end.
const served = { prompt: 0, completion: 0, length: 0, stop: 0 };

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function account(usage: { prompt_tokens: number; completion_tokens: number }, finishReason: string): void {
  served.prompt += usage.prompt_tokens;
  served.completion += usage.completion_tokens;
  if (finishReason === 'length') served.length++;
  else served.stop++;
}

before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'engine-server-'));
  server = await startEmbeddedServer({ preset: 'tiny', cacheDir, parallel: 2 });
});

after(async () => {
  await server?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

test('GET /v1/models and /health', async () => {
  const models = (await (await fetch(`${server.url}/models`)).json()) as { data: Array<{ id: string }> };
  assert.deepEqual(models.data.map((m) => m.id), ['inferscope-tiny']);
  assert.equal(server.modelId, 'inferscope-tiny');
  assert.equal((await fetch(server.url.replace(/\/v1$/, '/health'))).status, 200);
});

test('non-streaming completion honours max_tokens exactly with ignore_eos and reports real usage', async () => {
  const res = await post('/completions', { model: 'inferscope-tiny', prompt: 'The quick brown fox', max_tokens: 24, ignore_eos: true });
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    object: string;
    choices: Array<{ text: string; finish_reason: string }>;
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  };
  assert.equal(body.object, 'text_completion');
  assert.equal(body.choices[0]!.finish_reason, 'length');
  assert.ok(body.choices[0]!.text.length > 0);
  assert.equal(body.usage.completion_tokens, 24);
  assert.ok(body.usage.prompt_tokens >= 5, 'BOS + pieces');
  assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + 24);
  account(body.usage, 'length');
});

test('min_tokens holds EOS back: min_tokens = max_tokens always gives exactly max_tokens', async () => {
  for (let i = 0; i < 3; i++) {
    const body = (await (await post('/completions', { prompt: `run ${i}`, max_tokens: 60, min_tokens: 60 })).json()) as {
      choices: Array<{ finish_reason: string }>;
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    assert.equal(body.usage.completion_tokens, 60);
    assert.equal(body.choices[0]!.finish_reason, 'length');
    account(body.usage, 'length');
  }
});

test('streaming chat: role chunk, one chunk per token, finish chunk, usage chunk, [DONE]', async () => {
  const r = await streamProbe(server.url, '/chat/completions', {
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say something about latency.' },
    ],
    max_completion_tokens: 40,
    ignore_eos: true,
    stream_options: { include_usage: true },
  });
  assert.equal(r.status, 200);
  assert.ok(r.sawDone);
  const first = r.events[0] as { object: string; choices: Array<{ delta: Record<string, unknown> }> };
  assert.equal(first.object, 'chat.completion.chunk');
  assert.deepEqual(first.choices[0]!.delta, { role: 'assistant' });
  assert.equal(r.pieces.length, 40);
  assert.equal(r.finishReason, 'length');
  assert.ok(r.usage);
  assert.equal(r.usage.completion_tokens, r.pieces.length);
  const last = r.events.at(-1) as { choices: unknown[] };
  assert.deepEqual(last.choices, [], 'usage chunk has no choices');
  account(r.usage, 'length');
});

test('sampling with a seed is repeatable, streaming and non-streaming agree', async () => {
  const body = { prompt: 'Once upon a time', max_tokens: 12, ignore_eos: true, temperature: 0.8, top_p: 0.9, seed: 1234, stream_options: { include_usage: true } };
  const a = await streamProbe(server.url, '/completions', body);
  const b = await streamProbe(server.url, '/completions', body);
  assert.equal(a.pieces.join(''), b.pieces.join(''));
  assert.equal(a.pieces.length, 12);
  const full = (await (await post('/completions', body)).json()) as { choices: Array<{ text: string }>; usage: { prompt_tokens: number; completion_tokens: number } };
  assert.equal(full.choices[0]!.text, a.pieces.join(''));
  const other = await streamProbe(server.url, '/completions', { ...body, seed: 99 });
  assert.notEqual(other.pieces.join(''), a.pieces.join(''));
  for (const u of [a.usage!, b.usage!, full.usage, other.usage!]) account(u, 'length');
});

test('stop strings end the completion with finish_reason stop', async () => {
  // Greedy decoding from a fixed prompt is deterministic; take a stop string from its own output.
  const probe = (await (await post('/completions', { prompt: 'abc', max_tokens: 30, ignore_eos: true, temperature: 0 })).json()) as {
    choices: Array<{ text: string }>;
    usage: { prompt_tokens: number; completion_tokens: number };
  };
  account(probe.usage, 'length');
  const text = probe.choices[0]!.text;
  const stop = text.slice(10, 13);
  const res = (await (await post('/completions', { prompt: 'abc', max_tokens: 30, ignore_eos: true, temperature: 0, stop })).json()) as {
    choices: Array<{ text: string; finish_reason: string }>;
    usage: { prompt_tokens: number; completion_tokens: number };
  };
  assert.equal(res.choices[0]!.finish_reason, 'stop');
  assert.equal(res.choices[0]!.text, text.slice(0, text.indexOf(stop)));
  assert.ok(res.usage.completion_tokens < 30);
  account(res.usage, 'stop');
});

test('bad requests get OpenAI-shaped errors and the server keeps serving', async () => {
  const bad = await fetch(`${server.url}/completions`, { method: 'POST', body: '{"prompt": ' });
  assert.equal(bad.status, 400);
  const badBody = (await bad.json()) as { error: { message: string; type: string; param: unknown; code: unknown } };
  assert.deepEqual(Object.keys(badBody.error).sort(), ['code', 'message', 'param', 'type']);
  assert.match(badBody.error.message, /not valid JSON/);

  const typed = await post('/completions', { prompt: 'x', max_tokens: 'ten' });
  assert.equal(typed.status, 400);
  const typedBody = (await typed.json()) as { error: { message: string; param: string } };
  assert.equal(typedBody.error.param, 'max_tokens');
  assert.match(typedBody.error.message, /max_tokens/);

  const chatTyped = await post('/chat/completions', { messages: 'hello' });
  assert.equal(((await chatTyped.json()) as { error: { param: string } }).error.param, 'messages');

  const unknown = await post('/chat/completions', { model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'model_not_found');

  const long = await post('/completions', { prompt: 'word '.repeat(2100), max_tokens: 4 });
  assert.equal(long.status, 400);
  assert.match(((await long.json()) as { error: { message: string } }).error.message, /maximum context length is 2048/);

  const tooMany = await post('/completions', { prompt: 'hi', max_tokens: 5000 });
  assert.equal(tooMany.status, 400);

  assert.equal((await fetch(`${server.url}/nope`)).status, 404);
  assert.equal((await fetch(`${server.url}/completions`)).status, 405);

  const ok = await post('/completions', { prompt: 'still alive?', max_tokens: 3, ignore_eos: true });
  assert.equal(ok.status, 200);
  account(((await ok.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage, 'length');
});

test('/metrics counters equal what was served', async () => {
  const text = await (await fetch(server.url.replace(/\/v1$/, '/metrics'))).text();
  const labels = { model_name: 'inferscope-tiny' };
  assert.equal(sampleValue(text, 'vllm:prompt_tokens_total', labels), served.prompt);
  assert.equal(sampleValue(text, 'vllm:generation_tokens_total', labels), served.completion);
  assert.equal(sampleValue(text, 'vllm:request_success_total', { ...labels, finished_reason: 'length' }), served.length);
  assert.equal(sampleValue(text, 'vllm:request_success_total', { ...labels, finished_reason: 'stop' }), served.stop);
  assert.equal(sampleValue(text, 'vllm:e2e_request_latency_seconds_count', labels), served.length + served.stop);
  assert.equal(sampleValue(text, 'vllm:time_to_first_token_seconds_count', labels), served.length + served.stop);
  assert.equal(sampleValue(text, 'vllm:num_requests_running', labels), 0);
  assert.equal(sampleValue(text, 'vllm:kv_cache_usage_perc', labels), 0);
});
