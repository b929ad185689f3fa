import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { counterIncrease, histogramQuantile } from '../src/server-metrics/promql.js';
import { gaugeStats, mergeStepSeries } from '../src/server-metrics/series-stats.js';
import { summarizeServerMetrics, type ScrapeInput } from '../src/server-metrics/window.js';
import { crossCheck } from '../src/server-metrics/cross-check.js';
import { parseExposition } from '../src/server-metrics/parse/parse-exposition.js';

const close = (actual: number | null | undefined, expected: number, eps = 1e-9) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= eps, `${actual} != ${expected}`);

test('histogramQuantile matches PromQL on hand-computed cases', () => {
  const b = [
    { le: 0.1, count: 10 },
    { le: 0.2, count: 30 },
    { le: 0.5, count: 40 },
    { le: Infinity, count: 50 },
  ];
  close(histogramQuantile(0.5, b), 0.175); // rank 25 in (0.1, 0.2]: 0.1 + 0.1 * 15/20
  close(histogramQuantile(0.1, b), 0.05); // first bucket starts at 0
  close(histogramQuantile(0.8, b), 0.5);
  assert.equal(histogramQuantile(0.9, b), 0.5, 'rank in +Inf bucket -> highest finite upper bound');
  assert.equal(histogramQuantile(1, b), 0.5);
  assert.equal(histogramQuantile(-0.1, b), -Infinity);
  assert.equal(histogramQuantile(1.1, b), Infinity);
  assert.ok(Number.isNaN(histogramQuantile(NaN, b)));
  assert.ok(Number.isNaN(histogramQuantile(0.5, b.slice(0, 3))), 'no +Inf bucket');
  assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: Infinity, count: 4 }])), 'fewer than two buckets');
  assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])), 'no observations');
  assert.equal(histogramQuantile(0.2, [{ le: -1, count: 5 }, { le: 1, count: 10 }, { le: Infinity, count: 10 }]), -1, 'first upper bound <= 0');
  // Non-monotonic counts are forced monotonic; unsorted input is sorted; equal bounds merge.
  close(histogramQuantile(0.5, [{ le: Infinity, count: 20 }, { le: 0.2, count: 8 }, { le: 0.1, count: 10 }]), 0.1);
  close(histogramQuantile(0.5, [{ le: 1, count: 2 }, { le: 1, count: 3 }, { le: Infinity, count: 5 }]), 0.5);
});

test('counterIncrease: resets add the post-reset value; window bounds select points', () => {
  assert.equal(counterIncrease([[0, 5], [1000, 9], [2000, 3]]), 7);
  assert.equal(counterIncrease([[0, 5], [1000, 9], [2000, 3]], { start_ms: 1000 }), 3);
  assert.equal(counterIncrease([[0, 5], [1000, 9], [2000, 12]], { end_ms: 1000 }), 4);
  assert.equal(counterIncrease([[0, 5]]), undefined);
});

test('counterIncrease with extrapolation equals Prometheus increase()', () => {
  const regular = [5, 15, 25, 35, 45, 55].map((s, i) => [s * 1000, (i + 1) * 10] as const);
  close(counterIncrease(regular, { start_ms: 0, end_ms: 60_000, extrapolate: true }), 60); // 50 * 60/50
  // Zero point is closer than the window start: extrapolate back only to it.
  close(counterIncrease([[5000, 1], [15000, 11], [25000, 21]], { start_ms: 0, end_ms: 30_000, extrapolate: true }), 26);
  // Series covers only part of the window: extrapolate half an interval on each side.
  close(counterIncrease([[60000, 10], [70000, 20], [80000, 30]], { start_ms: 0, end_ms: 100_000, extrapolate: true }), 30);
  // Left-open window: a point exactly at start is excluded.
  assert.equal(counterIncrease([[0, 0], [10000, 10]], { start_ms: 0, end_ms: 10_000, extrapolate: true }), undefined);
});

test('gauge statistics are time-weighted; step series merge across sources', () => {
  const s = gaugeStats([[0, 1], [1000, 3], [3000, 0]])!;
  assert.deepEqual({ min: s.min, max: s.max, last: s.last }, { min: 0, max: 3, last: 0 });
  close(s.mean, 7000 / 3000);
  assert.equal(gaugeStats([[5, 2]])!.mean, 2);
  assert.equal(gaugeStats([]), undefined);
  assert.deepEqual(mergeStepSeries([[[0, 1], [2000, 3]], [[1000, 10]]], 'sum'), [[0, 1], [1000, 11], [2000, 13]]);
  assert.deepEqual(mergeStepSeries([[[0, 1]], [[0, 3]]], 'mean'), [[0, 2]]);
});

interface State {
  prompt: number;
  gen: number;
  reasons: Record<string, number>;
  ttft: [number, number, number];
  ttftSum: number;
  running: number;
  waiting: number;
  kv: number;
  model?: string;
}

/** A vLLM-like exposition for one state (buckets cumulative: le 0.1, 0.5, +Inf). */
function vllmText(s: State): string {
  const l = `model_name="${s.model ?? 'm'}",engine="0"`;
  return [
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running{${l}} ${s.running}`,
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting{${l}} ${s.waiting}`,
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc{${l}} ${s.kv}`,
    '# TYPE vllm:prompt_tokens_total counter',
    `vllm:prompt_tokens_total{${l}} ${s.prompt}`,
    '# TYPE vllm:generation_tokens_total counter',
    `vllm:generation_tokens_total{${l}} ${s.gen}`,
    '# TYPE vllm:request_success_total counter',
    ...Object.entries(s.reasons).map(([r, n]) => `vllm:request_success_total{${l},finished_reason="${r}"} ${n}`),
    '# TYPE vllm:time_to_first_token_seconds histogram',
    `vllm:time_to_first_token_seconds_bucket{${l},le="0.1"} ${s.ttft[0]}`,
    `vllm:time_to_first_token_seconds_bucket{${l},le="0.5"} ${s.ttft[1]}`,
    `vllm:time_to_first_token_seconds_bucket{${l},le="+Inf"} ${s.ttft[2]}`,
    `vllm:time_to_first_token_seconds_count{${l}} ${s.ttft[2]}`,
    `vllm:time_to_first_token_seconds_sum{${l}} ${s.ttftSum}`,
  ].join('\n') + '\n';
}

const STATES: State[] = [
  { prompt: 100, gen: 50, reasons: { stop: 10 }, ttft: [5, 8, 10], ttftSum: 2, running: 1, waiting: 0, kv: 0.1 },
  { prompt: 300, gen: 150, reasons: { stop: 20, length: 2 }, ttft: [10, 20, 22], ttftSum: 5, running: 4, waiting: 2, kv: 0.5 },
  // The server restarted between these scrapes: every counter starts again.
  { prompt: 50, gen: 20, reasons: { stop: 3, length: 0 }, ttft: [1, 3, 3], ttftSum: 0.6, running: 2, waiting: 5, kv: 0.95 },
];
const scrapesOf = (states: State[], url = 'http://a/metrics', times = [0, 1000, 2000]): ScrapeInput[] =>
  states.map((s, i) => ({ t_ms: times[i]!, url, ok: true, families: parseExposition(vllmText(s)), duration_ms: 10 + i, parse_ms: 0.1 }));

test('summary over a window with a counter reset and a lazily created series', () => {
  const scrapes = [...scrapesOf(STATES), { t_ms: 1500, url: 'http://a/metrics', ok: false, duration_ms: 2000 }];
  const s = summarizeServerMetrics(scrapes);
  assert.deepEqual(s.engines, ['vllm']);
  assert.deepEqual(s.window, { start_ms: 0, end_ms: 2000 });
  assert.deepEqual(s.tokens, { prompt: 250, generation: 120, prompt_cached: null, prompt_computed: null });
  assert.deepEqual(s.finish_reasons, { length: 2, stop: 13 });
  // Bucket deltas: le 0.1 -> 5 + 1 = 6, le 0.5 -> 12 + 3 = 15, +Inf -> 15; sum 3 + 0.6.
  const ttft = s.ttft_ms!;
  assert.equal(ttft.count, 15);
  assert.equal(ttft.quantiles_from, 'buckets');
  close(ttft.mean, 240);
  close(ttft.p50, (0.1 + 0.4 * (1.5 / 9)) * 1000);
  close(ttft.p90, (0.1 + 0.4 * (7.5 / 9)) * 1000);
  close(ttft.p99, (0.1 + 0.4 * (8.85 / 9)) * 1000);
  close(s.kv_cache_usage!.mean, 0.3);
  assert.equal(s.kv_cache_usage!.max, 0.95);
  assert.deepEqual(s.requests_waiting, { min: 0, mean: 1, max: 5, last: 5, samples: 3 });
  assert.equal(s.itl_ms, null);
  assert.equal(s.preemptions, null);
  assert.deepEqual(s.series.requests_waiting, [[0, 0], [1000, 2], [2000, 5]]);
  assert.deepEqual(s.series.prompt_tokens_per_s, [[1000, 200], [2000, 50]]);
  assert.deepEqual(s.scrapes, { ok: 3, failed: 1, duration_ms: { p50: 11.5, max: 2000 }, parse_ms: { p50: 0.1, max: 0.1 } });
  assert.equal(s.by_model, undefined);
});

test('a narrower window only counts what happened inside it', () => {
  const s = summarizeServerMetrics(scrapesOf(STATES), { start_ms: 1000, end_ms: 2000 });
  assert.deepEqual(s.tokens, { prompt: 50, generation: 20, prompt_cached: null, prompt_computed: null });
  assert.equal(s.ttft_ms!.count, 3);
  assert.equal(s.scrapes.ok, 2);
});

test('two sources (vLLM and DCGM on separate URLs) combine', () => {
  const dcgm = readFileSync(new URL('./fixtures/metrics/dcgm.txt', import.meta.url), 'utf8');
  const gpu = (t: number, watts: number): ScrapeInput => ({
    t_ms: t,
    url: 'http://b/metrics',
    ok: true,
    families: parseExposition(dcgm.replaceAll('} 512.25', `} ${watts}`)),
  });
  const s = summarizeServerMetrics([...scrapesOf(STATES.slice(0, 2)), gpu(100, 500), gpu(900, 600)], { start_ms: 0, end_ms: 1000 });
  assert.deepEqual(s.engines, ['vllm', 'dcgm']);
  assert.deepEqual(s.tokens, { prompt: 200, generation: 100, prompt_cached: null, prompt_computed: null });
  assert.deepEqual(s.gpu.power_watts, { min: 980.75, mean: 980.75, max: 1080.75, last: 1080.75, samples: 2 });
  close(s.gpu.utilization!.mean, 0.85);
  assert.equal(s.gpu.energy_joules, 0, 'fixture energy counter does not move');
});

test('several models: per-model summaries beside the total', () => {
  const two = (i: number): ScrapeInput => ({
    t_ms: i * 1000,
    ok: true,
    families: parseExposition(vllmText({ ...STATES[i]!, model: 'a' }) + vllmText({ ...STATES[i]!, prompt: STATES[i]!.prompt * 2, model: 'b' })),
  });
  const s = summarizeServerMetrics([two(0), two(1)]);
  assert.deepEqual(s.tokens.prompt, 600);
  assert.deepEqual(Object.keys(s.by_model!), ['a', 'b']);
  assert.equal(s.by_model!.a!.tokens.prompt, 200);
  assert.equal(s.by_model!.b!.tokens.prompt, 400);
  assert.equal(s.by_model!.b!.ttft_ms!.count, 12);
});

test('summaries (TGI) and mean-only sources (llama.cpp) give means; no scrapes gives an empty summary', () => {
  const tgi = readFileSync(new URL('./fixtures/metrics/tgi.txt', import.meta.url), 'utf8');
  const later = tgi.replace('tgi_request_duration_sum 495.5', 'tgi_request_duration_sum 535.5').replace('tgi_request_duration_count 110', 'tgi_request_duration_count 120');
  const s = summarizeServerMetrics([
    { t_ms: 0, families: parseExposition(tgi) },
    { t_ms: 1000, families: parseExposition(later) },
  ]);
  assert.equal(s.e2e_ms!.count, 10);
  close(s.e2e_ms!.mean, 4000);
  assert.equal(s.e2e_ms!.quantiles_from, 'server_summary');
  close(s.e2e_ms!.p50, 3900);
  const llama = readFileSync(new URL('./fixtures/metrics/llamacpp.txt', import.meta.url), 'utf8');
  const llamaLater = llama.replace('tokens_predicted_total 45000', 'tokens_predicted_total 46000').replace('seconds_total 900', 'seconds_total 920');
  const l = summarizeServerMetrics([
    { t_ms: 0, families: parseExposition(llama) },
    { t_ms: 1000, families: parseExposition(llamaLater) },
  ]);
  assert.deepEqual(l.engines, ['llamacpp']);
  assert.equal(l.tokens.generation, 1000);
  assert.deepEqual(l.itl_ms, { count: 1000, mean: 20, p50: null, p90: null, p99: null, quantiles_from: 'none', quantile_support: null });
  assert.equal(l.tokens.prompt, null, 'this llama.cpp build does not count cached prompt tokens');
  assert.equal(l.tokens.prompt_computed, 0);
  const empty = summarizeServerMetrics([]);
  assert.deepEqual(empty.engines, []);
  assert.equal(empty.tokens.prompt, null);
  assert.deepEqual(empty.scrapes, { ok: 0, failed: 0, duration_ms: { p50: null, max: null }, parse_ms: { p50: null, max: null } });
});

test('crossCheck says what stands out in plain sentences', () => {
  const s = summarizeServerMetrics(scrapesOf(STATES));
  const r = crossCheck(s, { clientPromptTokens: 250, clientOutputTokens: 100, clientTtftMeanMs: 300, clientRequests: 5 });
  assert.deepEqual(r.token_match.prompt, { client: 250, server: 250, ratio: 1, match: true });
  assert.equal(r.token_match.generation!.match, false);
  close(r.ttft_overhead_ms, 60);
  assert.equal(r.e2e_overhead_ms, null);
  const text = r.notes.join('\n');
  assert.match(text, /waiting queue grew from 0 to 5/);
  assert.match(text, /KV cache usage reached 95%/);
  assert.match(text, /counted 120 output tokens, the client 100/);
  assert.doesNotMatch(text, /prompt tokens/);
  assert.doesNotMatch(text, /preempted/);
  const quiet = crossCheck(summarizeServerMetrics(scrapesOf(STATES.slice(0, 1))), {});
  assert.deepEqual(quiet.notes, []);
});
