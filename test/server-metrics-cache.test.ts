import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClock } from '../src/measure/clock.js';
import { crossCheck } from '../src/server-metrics/cross-check.js';
import { parseExposition } from '../src/server-metrics/parse/parse-exposition.js';
import { startScraper } from '../src/server-metrics/scraper.js';
import { summarizeServerMetrics, type ScrapeInput } from '../src/server-metrics/window.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/metrics/${name}`, import.meta.url), 'utf8');
const close = (actual: number | null | undefined, expected: number, eps = 1e-9) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= eps, `${actual} != ${expected}`);

/** The current llama-server exposition with its counters set (values as llama.cpp prints them). */
function llamaText(c: { computed: number; cached: number; promptS: number; predicted: number; predictedS: number }, withCached = true): string {
  let t = fixture('llamacpp-cached.txt')
    .replace(/^llamacpp:prompt_tokens_total .*$/m, `llamacpp:prompt_tokens_total ${c.computed}`)
    .replace(/^llamacpp:prompt_tokens_cached_total .*$/m, `llamacpp:prompt_tokens_cached_total ${c.cached}`)
    .replace(/^llamacpp:prompt_seconds_total .*$/m, `llamacpp:prompt_seconds_total ${c.promptS}`)
    .replace(/^llamacpp:tokens_predicted_total .*$/m, `llamacpp:tokens_predicted_total ${c.predicted}`)
    .replace(/^llamacpp:tokens_predicted_seconds_total .*$/m, `llamacpp:tokens_predicted_seconds_total ${c.predictedS}`);
  if (!withCached) t = t.split('\n').filter((l) => !l.includes('prompt_tokens_cached_total')).join('\n');
  return t;
}

async function serve(body: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server };
}

test('llama-server: cached prompt tokens are added back, so a run that hit the prompt cache matches the client', async () => {
  // Ten requests of 100 prompt tokens each; 70 of each came from the prompt cache (the shared prefix).
  let scrape = 0;
  const states = [
    { computed: 5868, cached: 2048, promptS: 4.89, predicted: 4096, predictedS: 20.48 },
    { computed: 5868 + 150, cached: 2048 + 350, promptS: 4.89 + 0.125, predicted: 4096 + 80, predictedS: 20.48 + 0.4 },
    { computed: 5868 + 300, cached: 2048 + 700, promptS: 4.89 + 0.25, predicted: 4096 + 160, predictedS: 20.48 + 0.8 },
  ];
  const srv = await serve(() => llamaText(states[Math.min(scrape++, states.length - 1)]!));
  try {
    const scraper = startScraper({ urls: [srv.url], intervalMs: 60_000, clock: createClock(), timeoutMs: 2000 });
    await scraper.ready();
    await scraper.scrapeNow();
    const { scrapes } = await scraper.stop();
    assert.equal(scrapes.length, 3);
    const s = summarizeServerMetrics(scrapes);
    assert.deepEqual(s.engines, ['llamacpp']);
    assert.deepEqual(s.tokens, { prompt: 1000, generation: 160, prompt_cached: 700, prompt_computed: 300 });
    close(s.prefix_cache_hit_rate, 0.7);
    close(s.prefill_tokens_per_s, 1200, 1e-6);
    close(s.itl_ms!.mean, 5, 1e-9);
    assert.deepEqual(s.series.prompt_tokens_per_s?.length, 2, 'prompt rate counts computed and cached tokens');
    const check = crossCheck(s, { clientPromptTokens: 1000, clientOutputTokens: 160, clientRequests: 10 });
    assert.equal(check.token_match.prompt!.match, true);
    assert.equal(check.token_match.generation!.match, true);
    const text = check.notes.join('\n');
    assert.doesNotMatch(text, /prompt tokens, the client/, 'no false mismatch');
    assert.match(text, /served 700 of 1000 prompt tokens \(70%\) from its prefix cache/);
  } finally {
    srv.server.close();
  }
});

test('an older llama-server without prompt_tokens_cached_total: prompt tokens are not compared, and it says why', () => {
  const at = (t: number, c: Parameters<typeof llamaText>[0]): ScrapeInput => ({ t_ms: t, ok: true, families: parseExposition(llamaText(c, false)) });
  const s = summarizeServerMetrics([
    at(0, { computed: 100, cached: 0, promptS: 1, predicted: 10, predictedS: 1 }),
    at(1000, { computed: 400, cached: 0, promptS: 1.25, predicted: 170, predictedS: 1.8 }),
  ]);
  assert.deepEqual(s.tokens, { prompt: null, generation: 160, prompt_cached: null, prompt_computed: 300 });
  assert.equal(s.prefix_cache_hit_rate, null);
  const check = crossCheck(s, { clientPromptTokens: 1000, clientOutputTokens: 160, clientRequests: 10 });
  assert.equal(check.token_match.prompt, null);
  const text = check.notes.join('\n');
  assert.match(text, /computed 300 of the client's 1000 prompt tokens; it does not report prompt-cache hits/);
  assert.doesNotMatch(text, /counted .* prompt tokens, the client/);
});

test('vLLM counts every prompt token: prompt_tokens_cached_total gives the computed share', () => {
  const v = fixture('vllm-v1.txt');
  const later = v
    .replace(/(vllm:prompt_tokens_total\{[^}]*\}) 12345\.0/, '$1 13345.0')
    .replace(/(vllm:prompt_tokens_cached_total\{[^}]*\}) 2500\.0/, '$1 3100.0')
    .replace(/(vllm:prefix_cache_queries_total\{[^}]*\}) 10000\.0/, '$1 11000.0')
    .replace(/(vllm:prefix_cache_hits_total\{[^}]*\}) 2500\.0/, '$1 3100.0');
  const s = summarizeServerMetrics([
    { t_ms: 0, families: parseExposition(v) },
    { t_ms: 1000, families: parseExposition(later) },
  ]);
  assert.deepEqual(s.tokens, { prompt: 1000, generation: 0, prompt_cached: 600, prompt_computed: 400 });
  close(s.prefix_cache_hit_rate, 0.6);
  const check = crossCheck(s, { clientPromptTokens: 1000 });
  assert.equal(check.token_match.prompt!.match, true);
});

test('SGLang before its first cache hit declares cached_tokens_total without series: 0 cached, hit rate 0', () => {
  const base = fixture('sglang.txt')
    .split('\n')
    .filter((l) => !l.startsWith('sglang:cached_tokens_total{') && !l.includes('sglang:cache_hit_rate'))
    .join('\n');
  const later = base.replace(/(sglang:prompt_tokens_total\{[^}]*\}) 20000\.0/, '$1 21000.0');
  const s = summarizeServerMetrics([
    { t_ms: 0, families: parseExposition(base) },
    { t_ms: 1000, families: parseExposition(later) },
  ]);
  assert.equal(s.tokens.prompt, 1000);
  assert.equal(s.tokens.prompt_cached, 0);
  assert.equal(s.tokens.prompt_computed, 1000);
  assert.equal(s.prefix_cache_hit_rate, 0);
});

test('TensorRT-LLM: cached tokens when counted, else reused / (reused + missed) KV blocks', () => {
  const t = fixture('trtllm-serve.txt');
  const bump = (text: string) =>
    text
      .replace(/(trtllm_prompt_tokens_total\{[^}]*\}) 15000\.0/, '$1 16000.0')
      .replace(/(trtllm_prompt_cached_tokens_total\{[^}]*\}) 3000\.0/, '$1 3250.0')
      .replace(/(trtllm_kv_cache_reused_blocks_total\{[^}]*\}) 96\.0/, '$1 104.0')
      .replace(/(trtllm_kv_cache_missed_blocks_total\{[^}]*\}) 384\.0/, '$1 408.0');
  const withTokens = summarizeServerMetrics([
    { t_ms: 0, families: parseExposition(t) },
    { t_ms: 1000, families: parseExposition(bump(t)) },
  ]);
  assert.deepEqual(withTokens.tokens, { prompt: 1000, generation: 0, prompt_cached: 250, prompt_computed: 750 });
  close(withTokens.prefix_cache_hit_rate, 0.25);
  assert.equal(withTokens.prefix_cache_reused_blocks, 8);
  const blocksOnly = t.split('\n').filter((l) => !l.includes('prompt_cached_tokens')).join('\n');
  const s = summarizeServerMetrics([
    { t_ms: 0, families: parseExposition(blocksOnly) },
    { t_ms: 1000, families: parseExposition(bump(blocksOnly)) },
  ]);
  assert.equal(s.tokens.prompt_cached, null, 'blocks are not tokens');
  close(s.prefix_cache_hit_rate, 8 / 32);
});
