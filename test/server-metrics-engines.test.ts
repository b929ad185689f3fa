import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExposition } from '../src/server-metrics/parse/parse-exposition.js';
import { detectEngines, extractConcepts } from '../src/server-metrics/engines/extract.js';
import type { ConceptValues } from '../src/server-metrics/engines/concepts.js';

const load = (name: string) => parseExposition(readFileSync(new URL(`./fixtures/metrics/${name}`, import.meta.url), 'utf8'));
const sum = (r: Record<string, number> | undefined) => (r ? Object.values(r).reduce((a, b) => a + b, 0) : undefined);
const counters = (v: ConceptValues) => Object.fromEntries(Object.entries(v.counters).map(([k, r]) => [k, sum(r)]));
const reasons = (v: ConceptValues) => Object.fromEntries(Object.entries(v.finish_reasons).map(([k, r]) => [k, sum(r)]));
const hist = (v: ConceptValues, c: keyof ConceptValues['histograms']) => {
  const pts = Object.values(v.histograms[c] ?? {});
  return { series: pts.length, count: pts.reduce((a, p) => a + p.count, 0), sum: pts.reduce((a, p) => a + p.sum, 0), buckets: pts[0]?.buckets?.length ?? 0 };
};

const VLLM_COUNTERS = { prompt_tokens: 12345, prompt_tokens_cached: 2500, generation_tokens: 6789, preemptions: 1, prefix_cache_queries: 10000, prefix_cache_hits: 2500 };
const VLLM_REASONS = { stop: 40, length: 8, abort: 2 };

test('vLLM V1 (current names): every concept', () => {
  const snap = extractConcepts(load('vllm-v1.txt'));
  assert.deepEqual(snap.engines, [{ id: 'vllm', variant: 'v1' }]);
  assert.deepEqual(snap.total.gauges, { requests_running: 3, requests_waiting: 2, kv_cache_usage: 0.42 });
  assert.deepEqual(counters(snap.total), VLLM_COUNTERS);
  assert.deepEqual(reasons(snap.total), VLLM_REASONS);
  assert.deepEqual(hist(snap.total, 'ttft'), { series: 1, count: 50, sum: 3.6, buckets: 23 });
  assert.deepEqual(hist(snap.total, 'itl'), { series: 1, count: 6739, sum: 130, buckets: 20 });
  for (const c of ['e2e', 'queue', 'prefill', 'decode'] as const) assert.equal(hist(snap.total, c).count, 50, c);
  assert.deepEqual(snap.models, {}, 'one model: no per-model split');
  assert.ok(Object.keys(snap.total.counters.prompt_tokens_cached!)[0]!.startsWith('vllm:prompt_tokens_cached_total'), 'newest cached-token counter preferred');
  const ttft = Object.values(snap.total.histograms.ttft!)[0]!;
  assert.equal(ttft.buckets!.at(-1)!.le, Infinity);
  assert.deepEqual(ttft.buckets!.slice(4, 7), [{ le: 0.04, count: 0 }, { le: 0.06, count: 10 }, { le: 0.08, count: 40 }]);
});

test('vLLM before the renames (gpu_cache_usage_perc, gpu_prefix_cache_*, time_per_output_token_seconds) maps the same', () => {
  const snap = extractConcepts(load('vllm-v1-old-names.txt'));
  assert.deepEqual(snap.total.gauges, { requests_running: 3, requests_waiting: 2, kv_cache_usage: 0.42 });
  assert.deepEqual(counters(snap.total), VLLM_COUNTERS);
  assert.equal(hist(snap.total, 'itl').count, 6739);
});

test('vLLM exposing old and new names at once counts each concept once', () => {
  const snap = extractConcepts(load('vllm-v1-transition.txt'));
  assert.equal(snap.total.gauges.kv_cache_usage, 0.42);
  assert.deepEqual(counters(snap.total), VLLM_COUNTERS);
  assert.deepEqual(hist(snap.total, 'itl'), { series: 1, count: 6739, sum: 130, buckets: 20 });
  assert.ok(Object.keys(snap.total.histograms.itl!)[0]!.startsWith('vllm:inter_token_latency_seconds'), 'new name preferred');
});

test('vLLM V0: detected as v0, queue time from time_in_queue_requests, hit-rate gauge', () => {
  const snap = extractConcepts(load('vllm-v0.txt'));
  assert.deepEqual(snap.engines, [{ id: 'vllm', variant: 'v0' }]);
  assert.deepEqual(snap.total.gauges, { requests_running: 3, requests_waiting: 2, kv_cache_usage: 0.42, prefix_cache_hit_rate: 0.25 });
  assert.equal(hist(snap.total, 'queue').count, 50);
  assert.equal(snap.total.histograms.prefill, undefined);
});

test('vLLM with two data-parallel engines: counts sum, KV usage averages, series stay per engine', () => {
  const snap = extractConcepts(load('vllm-v1-two-engines.txt'));
  assert.equal(snap.total.gauges.requests_running, 9);
  assert.equal(snap.total.gauges.requests_waiting, 6);
  assert.ok(Math.abs(snap.total.gauges.kv_cache_usage! - 0.63) < 1e-12);
  assert.equal(counters(snap.total).prompt_tokens, 12345 * 3);
  assert.deepEqual(reasons(snap.total), { stop: 120, length: 24, abort: 6 });
  assert.equal(Object.keys(snap.total.counters.prompt_tokens!).length, 2);
  assert.deepEqual(hist(snap.total, 'ttft'), { series: 2, count: 150, sum: 3.6 * 3, buckets: 23 });
  assert.deepEqual(snap.models, {});
});

test('several models: total plus a per-model breakdown', () => {
  const text = ['a', 'b']
    .map((m, i) =>
      [
        `vllm:num_requests_running{model_name="${m}",engine="0"} ${i + 1}`,
        `vllm:kv_cache_usage_perc{model_name="${m}",engine="0"} ${0.2 * (i + 1)}`,
        `vllm:prompt_tokens_total{model_name="${m}",engine="0"} ${100 * (i + 1)}`,
      ].join('\n'),
    )
    .join('\n');
  const snap = extractConcepts(parseExposition(text + '\n'));
  assert.equal(snap.total.gauges.requests_running, 3);
  assert.deepEqual(Object.keys(snap.models).sort(), ['a', 'b']);
  assert.equal(snap.models.b!.gauges.requests_running, 2);
  assert.ok(Math.abs(snap.models.b!.gauges.kv_cache_usage! - 0.4) < 1e-12);
  assert.equal(sum(snap.models.a!.counters.prompt_tokens), 100);
});

test('SGLang: retractions are preemptions, cached/prompt tokens give the prefix hit counters', () => {
  const snap = extractConcepts(load('sglang.txt'));
  assert.deepEqual(snap.engines, [{ id: 'sglang' }]);
  assert.deepEqual(snap.total.gauges, { requests_running: 5, requests_waiting: 4, kv_cache_usage: 0.61, prefix_cache_hit_rate: 0.33 });
  assert.deepEqual(counters(snap.total), { prompt_tokens: 20000, prompt_tokens_cached: 5000, generation_tokens: 9000, preemptions: 2 });
  assert.deepEqual(reasons(snap.total), { abort: 3 });
  assert.deepEqual(hist(snap.total, 'ttft'), { series: 1, count: 60, sum: 18, buckets: 19 });
  assert.equal(hist(snap.total, 'queue').count, 60);
});

test('TGI: summaries without buckets keep their quantiles; tokens from length histogram sums', () => {
  const snap = extractConcepts(load('tgi.txt'));
  assert.deepEqual(snap.engines, [{ id: 'tgi' }]);
  assert.deepEqual(snap.total.gauges, { requests_running: 12, requests_waiting: 6 });
  assert.deepEqual(counters(snap.total), { prompt_tokens: 52000, generation_tokens: 22000 });
  assert.deepEqual(reasons(snap.total), { success: 110, 'error:validation': 7, 'error:overloaded': 3 });
  const e2e = Object.values(snap.total.histograms.e2e!)[0]!;
  assert.equal(e2e.buckets, null);
  assert.equal(e2e.count, 110);
  assert.equal(e2e.sum, 495.5);
  assert.deepEqual(e2e.quantiles!.find((q) => q.q === 0.5), { q: 0.5, value: 3.9 });
  assert.equal(snap.total.histograms.ttft, undefined, 'TGI has no TTFT metric');
});

test('llama.cpp: no labels, prefix llamacpp:, mean ITL from counters; its prompt counter excludes cache hits', () => {
  const snap = extractConcepts(load('llamacpp.txt'));
  assert.deepEqual(snap.engines, [{ id: 'llamacpp' }]);
  assert.deepEqual(snap.total.gauges, { requests_running: 4, requests_waiting: 1 });
  // An older build: computed prompt tokens only, no count of cached ones.
  assert.deepEqual(counters(snap.total), { prompt_tokens_computed: 1234570, generation_tokens: 45000, prefill_seconds: 412.5 });
  assert.deepEqual(hist(snap.total, 'itl'), { series: 1, count: 45000, sum: 900, buckets: 0 });
});

test('llama.cpp with prompt_tokens_cached_total (current tools/server names)', () => {
  const snap = extractConcepts(load('llamacpp-cached.txt'));
  assert.deepEqual(snap.engines, [{ id: 'llamacpp' }]);
  assert.deepEqual(snap.total.gauges, { requests_running: 4, requests_waiting: 0 });
  assert.deepEqual(counters(snap.total), { prompt_tokens_computed: 5868, prompt_tokens_cached: 2048, generation_tokens: 4096, prefill_seconds: 4.89 });
  assert.deepEqual(hist(snap.total, 'itl'), { series: 1, count: 4096, sum: 20.48, buckets: 0 });
});

test('SGLang declares cached_tokens_total before its first cache hit: zero, not unknown', () => {
  const text = readFileSync(new URL('./fixtures/metrics/sglang.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('sglang:cached_tokens_total{'))
    .join('\n');
  const snap = extractConcepts(parseExposition(text));
  assert.deepEqual(snap.total.counters.prompt_tokens_cached, {});
  const absent = text.split('\n').filter((l) => !l.includes('sglang:cached_tokens_total')).join('\n');
  assert.equal(extractConcepts(parseExposition(absent)).total.counters.prompt_tokens_cached, undefined);
});

test('DCGM (spaces after commas): GPU utilization 0-1 averaged, memory bytes and power summed, energy in J', () => {
  const snap = extractConcepts(load('dcgm.txt'));
  assert.deepEqual(snap.engines, [{ id: 'dcgm' }]);
  assert.ok(Math.abs(snap.total.gauges.gpu_utilization! - 0.85) < 1e-12);
  assert.equal(snap.total.gauges.gpu_memory_used_bytes, (73000 + 72000) * 1024 * 1024);
  assert.equal(snap.total.gauges.gpu_power_watts, 512.25 + 480.75);
  assert.ok(Math.abs(sum(snap.total.counters.gpu_energy_joules)! - (912345678 + 812345678) / 1000) < 1e-6);
  assert.deepEqual(snap.models, {}, 'modelName is the GPU model, not a served model');
});

test('Triton + TensorRT-LLM: ensemble counts requests once; TRT-LLM gauges; GPU from nv_gpu_*', () => {
  const snap = extractConcepts(load('triton-trtllm.txt'));
  assert.deepEqual(snap.engines, [{ id: 'triton', variant: 'tensorrt_llm' }]);
  assert.deepEqual(snap.total.gauges, {
    requests_running: 7,
    requests_waiting: 3,
    kv_cache_usage: 0.55,
    gpu_utilization: 0.88,
    gpu_memory_used_bytes: 76000000000,
    gpu_power_watts: 505.5,
  });
  assert.deepEqual(reasons(snap.total), { success: 100, 'error:REJECTED': 2, 'error:BACKEND': 1 });
  assert.equal(sum(snap.total.counters.prefix_cache_reused_blocks), 120);
  assert.deepEqual(hist(snap.total, 'e2e'), { series: 1, count: 100, sum: 250, buckets: 0 });
  assert.ok(Math.abs(hist(snap.total, 'queue').sum - 5) < 1e-9);
});

test('trtllm-serve: trtllm_ prefix', () => {
  const snap = extractConcepts(load('trtllm-serve.txt'));
  assert.deepEqual(snap.engines, [{ id: 'trtllm-serve' }]);
  assert.deepEqual(snap.total.gauges, { requests_running: 6, requests_waiting: 1, kv_cache_usage: 0.37, prefix_cache_hit_rate: 0.2 });
  assert.deepEqual(counters(snap.total), {
    prompt_tokens: 15000,
    prompt_tokens_cached: 3000,
    generation_tokens: 7000,
    prefix_cache_reused_blocks: 96,
    prefix_cache_missed_blocks: 384,
  });
  assert.deepEqual(reasons(snap.total), { stop: 30, length: 5 });
  assert.equal(hist(snap.total, 'ttft').count, 35);
});

test('older trtllm-serve without a prefix is recognised only when nothing else explains the names', () => {
  const text = readFileSync(new URL('./fixtures/metrics/trtllm-serve.txt', import.meta.url), 'utf8').replaceAll('trtllm_', '');
  const snap = extractConcepts(parseExposition(text));
  assert.deepEqual(snap.engines, [{ id: 'trtllm-serve', variant: 'unprefixed' }]);
  assert.equal(snap.total.gauges.kv_cache_usage, 0.37);
  assert.deepEqual(detectEngines(load('vllm-v1.txt')), [{ id: 'vllm', variant: 'v1' }]);
});

test('several servers in one exposition, and nothing recognisable', () => {
  const both = [...load('vllm-v1.txt'), ...load('dcgm.txt')];
  const snap = extractConcepts(both);
  assert.deepEqual(snap.engines.map((e) => e.id), ['vllm', 'dcgm']);
  assert.equal(snap.total.gauges.requests_running, 3);
  assert.equal(snap.total.gauges.gpu_power_watts, 993);
  const none = extractConcepts(parseExposition('process_cpu_seconds_total 3\n'));
  assert.deepEqual(none.engines, []);
  assert.deepEqual(none.total, { gauges: {}, counters: {}, finish_reasons: {}, histograms: {} });
});
