import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlotPool, SlotWaitAbortedError } from '../src/engine/slot-pool.js';
import { StopMatcher } from '../src/engine/stop-matcher.js';
import { applyChatTemplate } from '../src/engine/chat-template.js';
import { chatRequestSchema, completionRequestSchema, parseBody } from '../src/engine/openai-schema.js';
import { OpenAiHttpError } from '../src/engine/http-errors.js';
import { createEngineMetrics } from '../src/engine/metrics.js';
import { sampleValue } from './support/engine-probe.js';

test('SlotPool hands slots out first-in first-out and skips aborted waiters', async () => {
  const pool = new SlotPool(['s1']);
  const first = await pool.acquire();
  const order: string[] = [];
  const ac = new AbortController();
  const a = pool.acquire().then((s) => order.push(`a:${s}`));
  const b = pool.acquire(ac.signal).catch((e: unknown) => order.push(e instanceof SlotWaitAbortedError ? 'b:aborted' : 'b:?'));
  const c = pool.acquire().then((s) => order.push(`c:${s}`));
  assert.equal(pool.waiting, 3);
  ac.abort();
  await b;
  assert.equal(pool.waiting, 2);
  pool.release(first);
  await a;
  assert.equal(pool.inUse, 1);
  pool.release('s1');
  await c;
  assert.deepEqual(order, ['b:aborted', 'a:s1', 'c:s1']);
});

test('StopMatcher cuts at the earliest stop string, also across tokens', () => {
  const m = new StopMatcher(['END', '\n\n']);
  assert.deepEqual(m.push('hello '), { emit: 'hello ', stopped: false });
  assert.deepEqual(m.push('wor'), { emit: 'wor', stopped: false });
  assert.deepEqual(m.push('ldEN'), { emit: 'ldEN', stopped: false });
  assert.deepEqual(m.push('Dmore'), { emit: '', stopped: true });
  assert.equal(m.output, 'hello worldEN');
  const n = new StopMatcher(['x']);
  assert.deepEqual(n.push('abxcd'), { emit: 'ab', stopped: true });
  assert.equal(new StopMatcher([]).push('abc').emit, 'abc');
});

test('chat template marks roles and opens the assistant turn', () => {
  assert.equal(
    applyChatTemplate([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]),
    '<|system|>\nbe brief\n<|user|>\nhi\n<|assistant|>\n',
  );
});

test('request validation names the wrong field', () => {
  const fail = (schema: Parameters<typeof parseBody>[0], body: unknown): OpenAiHttpError => {
    try {
      parseBody(schema, body);
    } catch (err) {
      assert.ok(err instanceof OpenAiHttpError);
      return err;
    }
    assert.fail('expected a validation error');
  };
  assert.equal(fail(completionRequestSchema, { prompt: 'x', max_tokens: '5' }).param, 'max_tokens');
  assert.equal(fail(completionRequestSchema, { prompt: 'x', stream: 'yes' }).param, 'stream');
  assert.equal(fail(completionRequestSchema, {}).param, 'prompt');
  assert.equal(fail(chatRequestSchema, { messages: [{ role: 'robot', content: 'x' }] }).param, 'messages.0.role');
  assert.equal(fail(chatRequestSchema, []).status, 400);
  assert.match(fail(completionRequestSchema, { prompt: 'x', top_p: 'a' }).message, /'top_p'/);
  // Unknown fields are ignored, as by OpenAI-compatible servers.
  assert.equal(parseBody(completionRequestSchema, { prompt: 'x', logit_bias: {} }).prompt, 'x');
});

test('metrics use vLLM names: counters keep _total, histograms have vLLM buckets, one registry per server', async () => {
  const m = createEngineMetrics('m1', 2048, { running: () => 2, waiting: () => 3, kvCacheUsage: () => 0.25 });
  const other = createEngineMetrics('m2', 2048, { running: () => 0, waiting: () => 0, kvCacheUsage: () => 0 });
  m.promptProcessed(10, 0.05);
  m.tokenGenerated(undefined);
  m.tokenGenerated(0.02);
  m.requestFinished({
    finishedReason: 'length',
    promptTokens: 10,
    generationTokens: 2,
    maxTokens: 2,
    arrivalMs: 0,
    scheduledMs: 1,
    firstTokenMs: 50,
    lastTokenMs: 70,
    finishedMs: 71,
  });
  const text = await m.registry.metrics();
  assert.match(text, /# TYPE vllm:prompt_tokens_total counter/);
  assert.equal(sampleValue(text, 'vllm:prompt_tokens_total', { model_name: 'm1' }), 10);
  assert.equal(sampleValue(text, 'vllm:generation_tokens_total'), 2);
  assert.equal(sampleValue(text, 'vllm:num_requests_running'), 2);
  assert.equal(sampleValue(text, 'vllm:num_requests_waiting'), 3);
  assert.equal(sampleValue(text, 'vllm:kv_cache_usage_perc'), 0.25);
  assert.equal(sampleValue(text, 'vllm:request_success_total', { finished_reason: 'length' }), 1);
  assert.equal(sampleValue(text, 'vllm:time_to_first_token_seconds_bucket', { le: '0.06' }), 1);
  assert.equal(sampleValue(text, 'vllm:time_to_first_token_seconds_bucket', { le: '2560' }), 1);
  assert.equal(sampleValue(text, 'vllm:inter_token_latency_seconds_count'), 1);
  assert.equal(sampleValue(text, 'vllm:request_decode_time_seconds_sum')?.toFixed(3), '0.020');
  assert.equal(sampleValue(text, 'vllm:request_queue_time_seconds_bucket', { le: '7680' }), 1);
  assert.equal(sampleValue(await other.registry.metrics(), 'vllm:prompt_tokens_total'), 0);
});
