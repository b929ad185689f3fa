// test-lane: timing (checks TTFT/TPOT against replayed streams with known gaps; runs alone)
// Recorded streams of engines that cannot run here (vLLM, SGLang, TGI, Ollama, OpenAI, OpenRouter), replayed by
// a real HTTP server on loopback with a known gap between events: each engine's chunk shapes, usage placement,
// finish chunks, SSE comments, and its errors (status codes, bodies, errors inside a stream) must come out as the
// same per-request records and summary a live server would give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBenchmark } from '../src/index.js';
import { readTranscript, startReplayServer } from './support/replay-server.js';

const DIR = fileURLToPath(new URL('./fixtures/streams/', import.meta.url));
const GAP_MS = 20;
const REQUESTS = 4;

interface Expect {
  api?: 'chat' | 'completions';
  /** Succeeded: output tokens per request, finish reason, events before the first token (TTFT = (k + 1) gaps). */
  ok?: { tokens: number; finish: string; eventsBefore: number; source: 'usage' | 'tokenizer' };
  /** Failed: error class and what the message says. */
  error?: { class: string; message: RegExp };
}

const EXPECT: Record<string, Expect> = {
  'vllm-chat.http': { ok: { tokens: 12, finish: 'length', eventsBefore: 1, source: 'usage' } },
  'vllm-completions.http': { api: 'completions', ok: { tokens: 12, finish: 'length', eventsBefore: 0, source: 'usage' } },
  'vllm-reasoning.http': { ok: { tokens: 20, finish: 'length', eventsBefore: 1, source: 'usage' } },
  'vllm-400-context.http': { error: { class: 'http_4xx', message: /HTTP 400: This model's maximum context length is 4096 tokens/ } },
  'vllm-stream-error.http': { error: { class: 'server_error_event', message: /EngineCore encountered an issue/ } },
  'sglang-chat.http': { ok: { tokens: 12, finish: 'length', eventsBefore: 1, source: 'usage' } },
  'tgi-chat.http': { ok: { tokens: 12, finish: 'length', eventsBefore: 0, source: 'usage' } },
  'tgi-stream-error.http': { error: { class: 'server_error_event', message: /Request failed during generation: Server error: CUDA out of memory/ } },
  'tgi-422-validation.http': { error: { class: 'http_4xx', message: /HTTP 422: Input validation error: `inputs` tokens \+ `max_new_tokens` must be <= 4096/ } },
  'tgi-429-overloaded.http': { error: { class: 'http_429', message: /HTTP 429: Model is overloaded/ } },
  'ollama-chat.http': { ok: { tokens: 12, finish: 'stop', eventsBefore: 0, source: 'usage' } },
  'ollama-chat-no-usage.http': { ok: { tokens: 12, finish: 'stop', eventsBefore: 0, source: 'tokenizer' } },
  'ollama-404-model.http': { error: { class: 'http_4xx', message: /HTTP 404: model "llama3\.2:3b" not found, try pulling it first/ } },
  'openai-chat.http': { ok: { tokens: 12, finish: 'length', eventsBefore: 1, source: 'usage' } },
  'openai-429.http': { error: { class: 'http_429', message: /HTTP 429: Rate limit reached for gpt-4o-mini/ } },
  'openrouter-chat.http': { ok: { tokens: 12, finish: 'length', eventsBefore: 3, source: 'usage' } },
};

test('every recorded stream has an expectation', () => {
  assert.deepEqual(readdirSync(DIR).filter((f) => f.endsWith('.http')).sort(), Object.keys(EXPECT).sort());
});

for (const [file, expect] of Object.entries(EXPECT)) {
  test(`replayed ${file}`, async () => {
    const server = await startReplayServer(readTranscript(DIR + file), { gapMs: GAP_MS });
    try {
      const { results, records } = await runBenchmark({
        url: server.url,
        model: 'replayed-model',
        api: expect.api ?? 'chat',
        requests: REQUESTS,
        concurrency: 2,
        inputTokens: '32',
        outputTokens: '12',
        scrape: false,
        probe: false,
        calibrate: false,
        maxErrorRate: 1,
        warmup: 0,
      });
      const s = results.summary;
      assert.equal(records.length, REQUESTS);
      if (expect.ok) {
        const ok = expect.ok;
        assert.equal(s.requests.succeeded, REQUESTS, JSON.stringify(s.errors));
        for (const r of records) {
          assert.equal(r.output_tokens, ok.tokens, `${file}: output tokens`);
          assert.equal(r.output_tokens_source, ok.source);
          assert.equal(r.finish_reason, ok.finish);
          // OpenAI's usage names the prompt tokens its cache served; the record keeps the figure.
          if (file === 'openai-chat.http') assert.equal(r.cached_input_tokens, 0);
        }
        // TTFT is the first token-bearing chunk: role-only chunks, SSE comments and empty deltas do not count.
        const ttft = (ok.eventsBefore + 1) * GAP_MS;
        assert.ok(s.ttft_ms.p50! >= ttft - 3 && s.ttft_ms.p50! < ttft + 40, `${file}: TTFT p50 ${s.ttft_ms.p50} ms, expected ~${ttft}`);
        if (ok.source === 'usage') {
          assert.ok(s.tpot_ms.p50! >= GAP_MS - 3 && s.tpot_ms.p50! < GAP_MS + 25, `${file}: TPOT p50 ${s.tpot_ms.p50} ms`);
        }
      } else {
        const e = expect.error!;
        assert.equal(s.requests.failed, REQUESTS);
        assert.deepEqual(Object.keys(s.errors.by_class), [e.class]);
        assert.match(s.errors.examples[e.class as keyof typeof s.errors.examples] ?? '', e.message);
        assert.equal(s.outcome?.failed, true, 'every request failed: the run failed');
      }
    } finally {
      await server.close();
    }
  });
}

test('a server that closes idle keep-alive connections without a hint (uvicorn, 5 s; here 100 ms): no request fails', async () => {
  const server = await startReplayServer(readTranscript(DIR + 'vllm-chat.http'), { gapMs: 10, idleTimeoutMs: 100 });
  try {
    // 2 requests/s, each ~150 ms long: every connection sits idle past the server's timeout between requests.
    const { results } = await runBenchmark({ url: server.url, model: 'replayed-model', requests: 6, rate: 2, arrival: 'constant', inputTokens: '32', outputTokens: '12', scrape: false, probe: false, calibrate: false, warmup: 0 });
    assert.equal(results.summary.requests.failed, 0, JSON.stringify(results.summary.errors));
    assert.ok(server.connections >= 3, `the server closed idle connections: ${server.connections} opened`);
  } finally {
    await server.close();
  }
});
