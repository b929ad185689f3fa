import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord } from '../../test/support/record-builder.js';
import { summarize } from './summary.js';
import { chunkTokenWeights, concurrency, peakOutputTokensPerS } from './throughput.js';
import type { RequestRecord } from '../measure/record.js';

const close = (actual: number | null | undefined, expected: number, eps = 1e-9): void => {
  assert.ok(actual != null && Math.abs(actual - expected) <= eps, `${actual} != ${expected}`);
};

// A: ttft 100, tpot 150/3 = 50, e2e 250.   B: ttft 300, tpot n/a (one chunk, N = 1), e2e 300.
// C: failed after one partial chunk.         W: warm-up, excluded everywhere.
const A = makeRecord({
  index: 1, t_send: 0, chunks: [100, 150, 200, 250], t_end: 260, output_tokens: 4, input_tokens: 10,
  output_tokens_alt: { tokenizer: 5 },
});
const B = makeRecord({ index: 2, t_send: 500, chunks: [800], t_end: 900, output_tokens: 1, input_tokens: 20, finish_reason: 'length' });
const C = makeRecord({
  index: 3, ok: false, t_send: 1000, chunks: [1100], t_end: 2000, output_tokens: 1, input_tokens: 30,
  error: { class: 'timeout_idle', message: 'idle' }, finish_reason: null,
});
const W = makeRecord({ index: 0, warmup: true, t_send: -500, chunks: [-400], t_end: -100, output_tokens: 1 });
const records: RequestRecord[] = [W, A, B, C];

test('counts requests and uses the default window: first measured t_send to last measured t_end', () => {
  const s = summarize(records);
  assert.deepEqual(s.requests, { total: 3, succeeded: 2, failed: 1, warmup_excluded: 1, outside_window_excluded: 0, cut_off: 0, retried: 0 });
  assert.equal(s.window.start_ms, 0);
  assert.equal(s.window.end_ms, 2000);
  assert.equal(s.window.source, 'measured_requests');
  assert.equal(s.window_s, 2);
});

test('latency distributions cover succeeded requests; n/a TPOT is counted, not averaged as 0', () => {
  const s = summarize(records);
  assert.equal(s.ttft_ms.count, 2);
  assert.equal(s.ttft_ms.mean, 200);
  assert.equal(s.e2e_ms.max, 300);
  assert.equal(s.tpot_ms.count, 1);
  assert.equal(s.tpot_ms.mean, 50);
  assert.equal(s.tpot_na, 1);
  assert.equal(s.itl_ms.count, 3);
  assert.equal(s.itl_ms.p50, 50);
  assert.equal(s.ttfo_ms, null, 'no reasoning streamed');
  assert.equal(s.itl_per_token_ms, null, 'no chunk token counts known');
  assert.equal(s.schedule_lag_ms.count, 3);
  close(s.e2e_per_output_token_ms.mean, (250 / 4 + 300 / 1) / 2);
  assert.match(s.percentile_method, /linear/);
});

test('throughput divides succeeded work by the window; failed tokens are reported apart', () => {
  const s = summarize(records);
  assert.equal(s.throughput.requests_per_s, 1);
  assert.equal(s.throughput.output_tokens_per_s, 2.5);
  assert.equal(s.throughput.total_tokens_per_s, 17.5);
  assert.equal(s.tokens.input.total, 30);
  assert.equal(s.tokens.output.total, 5);
  assert.deepEqual(s.tokens.output.sources, { usage: 2 });
  assert.deepEqual(s.tokens.failed, { requests: 1, input: 30, output: 1 });
  assert.deepEqual(s.tokens.output.discrepancy, { tokenizer: { requests: 1, total_diff: 1, max_abs_diff: 1 } });
});

test('peak output tokens/s and time-weighted concurrency', () => {
  const s = summarize(records);
  assert.equal(s.throughput.peak_output_tokens_per_s, 5); // A's 4 + B's 1 all in the first second
  close(s.throughput.concurrency.mean, (260 + 400 + 1000) / 2000);
  assert.equal(s.throughput.concurrency.max, 1);
  const overlap = [makeRecord({ t_send: 0, t_end: 1000 }), makeRecord({ t_send: 500, t_end: 1500 })];
  const c = concurrency(overlap, { start: 0, end: 1500 });
  close(c.mean, 2000 / 1500);
  assert.equal(c.max, 2);
  // Back-to-back requests on one slot never count as overlapping.
  assert.equal(concurrency([makeRecord({ t_send: 0, t_end: 10 }), makeRecord({ t_send: 10, t_end: 20 })], { start: 0, end: 20 }).max, 1);
});

test('chunks of unknown size share N; peak buckets are 1 s wide', () => {
  const r = makeRecord({ t_send: 0, chunks: [100, 1100], output_tokens: 10 });
  assert.deepEqual(chunkTokenWeights(r), [5, 5]);
  assert.equal(peakOutputTokensPerS([r], { start: 0, end: 2000 }), 5);
  const mixed = makeRecord({ chunks: [{ t: 1, tokens: 4 }, 2, 3], output_tokens: 10 });
  assert.deepEqual(chunkTokenWeights(mixed), [4, 3, 3]);
  assert.equal(peakOutputTokensPerS([r], { start: 0, end: 0 }), null);
  // A window shorter than a bucket has no peak rate: 10 tokens in 0.9 s are not "10 tokens/s" under a mean of 11.
  assert.equal(peakOutputTokensPerS([r], { start: 0, end: 900 }), null);
  assert.equal(peakOutputTokensPerS([r], { start: 0, end: 1000 }), 5);
});

test('errors by class, error rate and finish reasons', () => {
  const s = summarize(records);
  assert.deepEqual(s.errors, { total: 1, error_rate: 1 / 3, by_class: { timeout_idle: 1 }, examples: { timeout_idle: records.find((r) => r.error)!.error!.message } });
  assert.deepEqual(s.finish_reasons, { stop: 1, length: 1 });
});

test('goodput and attainment: failures never good, n/a TPOT good only when stated', () => {
  const ttft = summarize(records, { slo: { ttft_ms: 200 } });
  assert.equal(ttft.goodput.good, 1);
  assert.equal(ttft.goodput.requests_per_s, 0.5);
  close(ttft.goodput.attainment, 1 / 3);
  const tpot = summarize(records, { slo: { tpot_ms: 60 } });
  assert.equal(tpot.goodput.good, 1);
  const tpotNa = summarize(records, { slo: { tpot_ms: 60 }, sloTpotNaIsGood: true });
  assert.equal(tpotNa.goodput.good, 2);
  close(tpotNa.goodput.attainment, 2 / 3);
  const e2e = summarize(records, { slo: { e2e_ms: 10_000, itl_ms: 40 } });
  assert.equal(e2e.goodput.good, 1, 'A stalls 50 ms > 40 ms; B has no gap to exceed');
});

test('no SLO: goodput figures are null but the keys exist', () => {
  const s = summarize(records);
  assert.deepEqual(s.goodput, { slo: null, tpot_na_is_good: false, good: null, requests_per_s: null, attainment: null });
  assert.equal(summarize(records, { slo: {} }).goodput.slo, null);
});

test('an explicit window keeps only requests sent inside it and is the rate denominator', () => {
  const s = summarize(records, { window: { start: 400, end: 2000 } });
  assert.equal(s.window.source, 'explicit');
  assert.equal(s.window_s, 1.6);
  assert.equal(s.requests.total, 2);
  assert.equal(s.requests.outside_window_excluded, 1);
  assert.equal(s.throughput.requests_per_s, 1 / 1.6);
});

test('TTFO and ITL per token appear when the data has them', () => {
  const r = makeRecord({ chunks: [{ t: 10, reasoning: true }, { t: 30, tokens: 2 }, { t: 50, tokens: 2 }], output_tokens: 5 });
  const s = summarize([r]);
  assert.equal(s.ttfo_ms?.mean, 30);
  assert.deepEqual([s.itl_per_token_ms?.count, s.itl_per_token_ms?.mean], [2, 10]);
});

test('cost from a GPU price per hour or from API token prices', () => {
  const gpu = summarize(records, { prices: { gpu_per_hour: 3.6 }, slo: { ttft_ms: 200 } }).cost;
  assert.ok(gpu);
  assert.equal(gpu.basis, 'gpu_hour');
  close(gpu.total, 0.002);
  close(gpu.per_request, 0.001);
  close(gpu.per_1m_output_tokens, (0.002 / 5) * 1e6);
  close(gpu.per_1m_total_tokens, (0.002 / 35) * 1e6);
  close(gpu.per_good_request, 0.002);
  const api = summarize(records, { prices: { input_per_1m: 1, output_per_1m: 2 } }).cost;
  assert.ok(api);
  close(api.total, (60 * 1 + 6 * 2) / 1e6, 1e-15); // failed tokens are billed too
  assert.equal(api.per_good_request, null);
  assert.equal(summarize(records).cost, null);
  close(gpu.per_1m_input_tokens, (0.002 / 30) * 1e6);
  // Cached prompt tokens (usage.prompt_tokens_details) at their own price: 20 of the 60 billed input tokens.
  const cachedRecords = records.map((r) => (r.ok && !r.warmup ? { ...r, cached_input_tokens: 10 } : r));
  const cached = summarize(cachedRecords, { prices: { input_per_1m: 1, output_per_1m: 2, cached_input_per_1m: 0.25 } }).cost;
  close(cached!.total, (40 * 1 + 20 * 0.25 + 6 * 2) / 1e6, 1e-15);
});

test('empty input: zero counts, null rates, no crash', () => {
  const s = summarize([]);
  assert.equal(s.requests.total, 0);
  assert.equal(s.window_s, 0);
  assert.equal(s.throughput.requests_per_s, null);
  assert.equal(s.errors.error_rate, null);
  assert.equal(s.ttft_ms.p99, null);
});

test('fidelity is carried through when given, judged against the run\'s own timing, and null otherwise', () => {
  assert.equal(summarize(records).fidelity, null);
  const fidelity = {
    schedule_lag_ms: { p50: 1, p99: 2, max: 3 }, event_loop_lag_ms: { p50: 1, p99: 2, max: 3 }, achieved_rate: 1,
    target_rate: null, late_requests: 0, client_cpu: 0.1, valid: true, invalid_reasons: [],
  };
  const judged = summarize(records, { fidelity }).fidelity!;
  assert.deepEqual({ ...judged, status: undefined, timing_uncertainty_ms: undefined, degraded_reasons: undefined }, { ...fidelity, status: undefined, timing_uncertainty_ms: undefined, degraded_reasons: undefined });
  assert.equal(judged.timing_uncertainty_ms, 2);
  assert.ok(['valid', 'degraded', 'invalid'].includes(judged.status!));
});

test('requests the client cut off (aborted) are counted apart, not as failures', () => {
  const ok = makeRecord({ index: 0, t_send: 0, chunks: [50, 60], t_end: 70 });
  const failed = makeRecord({ index: 1, t_send: 0, chunks: [], t_end: 20, ok: false, error: { class: 'http_5xx', message: 'boom', status: 500 }, output_tokens: null });
  const cut = makeRecord({ index: 2, t_send: 0, chunks: [40], t_end: 45, ok: false, error: { class: 'aborted', message: 'stopped' }, output_tokens: 1 });
  const s = summarize([ok, failed, cut]);
  assert.deepEqual([s.requests.total, s.requests.succeeded, s.requests.failed, s.requests.cut_off], [2, 1, 1, 1]);
  assert.equal(s.errors.error_rate, 0.5);
  assert.equal(s.errors.by_class.aborted, undefined);
  assert.deepEqual(s.tokens.cut_off, { requests: 1, input: s.tokens.cut_off.input, output: 1 });
});
