import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CostModel } from './cost-model.js';
import { nonNegativeLeastSquares } from './least-squares.js';
import { runSimulation } from './run-sim.js';

const cost = (o: Partial<CostModel>): CostModel => ({
  decode_base_ms: 10,
  decode_per_seq_ms: 0,
  prefill_base_ms: 0,
  prefill_per_seq_ms: 0,
  prefill_per_token_ms: 0,
  max_seqs: null,
  kv_capacity_tokens: null,
  prefill_chunk_tokens: null,
  fixed_while_queued: true,
  source: 'test',
  ...o,
});
const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

test('one request: first token after the fixed part and its prompt, then a token per decode step', () => {
  const [o] = runSimulation({ cost: cost({ prefill_base_ms: 5, prefill_per_token_ms: 0.1, decode_base_ms: 2, decode_per_seq_ms: 1 }), load: { kind: 'concurrency', concurrency: 1 }, requests: 1, lengths: () => ({ input_tokens: 100, output_tokens: 4 }) });
  assert.deepEqual(o!.token_times.map((t) => +t.toFixed(6)), [15, 18, 21, 24]);
});

test('prompts arriving together are prefilled in one batch and get their first tokens together; decoding pauses meanwhile', () => {
  const out = runSimulation({ cost: cost({ prefill_per_token_ms: 0.1, decode_base_ms: 1 }), load: { kind: 'concurrency', concurrency: 3 }, requests: 3, lengths: () => ({ input_tokens: 100, output_tokens: 2 }) });
  for (const o of out) assert.deepEqual(o.token_times.map((t) => +t.toFixed(6)), [30, 31]);
});

test('a slot limit queues the rest first in, first out; their TTFT includes the wait, which the fixed part overlaps or not', () => {
  const run = (fixedWhileQueued: boolean) =>
    runSimulation({ cost: cost({ prefill_base_ms: 50, max_seqs: 2, fixed_while_queued: fixedWhileQueued }), load: { kind: 'concurrency', concurrency: 4 }, requests: 4, lengths: () => ({ input_tokens: 10, output_tokens: 11 }) });
  // Each holds its slot 50 + 10 x 10 = 150 ms; the two queued are admitted when the first two end, at 150 ms.
  const after = run(false);
  assert.deepEqual(after.map((o) => +(o.token_times[0]! - o.request.t_arrival).toFixed(6)), [50, 50, 200, 200]);
  assert.deepEqual(after.map((o) => +o.t_end.toFixed(6)), [150, 150, 300, 300]);
  // A front end that works on arrival is done with them by then: they hold their slots 100 ms.
  const overlapped = run(true);
  assert.deepEqual(overlapped.map((o) => +(o.token_times[0]! - o.request.t_arrival).toFixed(6)), [50, 50, 150, 150]);
  assert.deepEqual(overlapped.map((o) => +o.t_end.toFixed(6)), [150, 150, 250, 250]);
});

test('decode steps cost more with a bigger batch', () => {
  const out = runSimulation({ cost: cost({ decode_base_ms: 1, decode_per_seq_ms: 0.5 }), load: { kind: 'concurrency', concurrency: 4 }, requests: 4, lengths: () => ({ input_tokens: 0, output_tokens: 3 }) });
  for (const o of out) near(o.token_times[2]! - o.token_times[1]!, 3, 'step at batch 4');
});

test('a full KV cache preempts the newest sequence, which recomputes and still produces every token', () => {
  const out = runSimulation({ cost: cost({ decode_base_ms: 1, prefill_per_token_ms: 0.01, kv_capacity_tokens: 250 }), load: { kind: 'concurrency', concurrency: 4 }, requests: 8, lengths: () => ({ input_tokens: 40, output_tokens: 30 }) });
  assert.equal(out.length, 8);
  for (const o of out) assert.equal(o.token_times.length, 30);
  assert.ok(out.reduce((s, o) => s + o.preemptions, 0) > 0);
});

test('chunked prefill lets decoding go on during a long prompt (shorter longest gap for the others)', () => {
  const run = (chunk: number | null) =>
    runSimulation({
      cost: cost({ decode_base_ms: 1, prefill_per_token_ms: 0.05, prefill_chunk_tokens: chunk }),
      load: { kind: 'rate', rate: 100, arrival: 'constant', burstiness: 1, maxConcurrency: null, rampUpS: 0 },
      requests: 2,
      lengths: (i) => (i === 0 ? { input_tokens: 10, output_tokens: 60 } : { input_tokens: 2000, output_tokens: 5 }),
    });
  const maxGap = (ts: number[]): number => Math.max(...ts.slice(1).map((t, i) => t - ts[i]!));
  const whole = run(null);
  const chunked = run(128);
  near(maxGap(whole[0]!.token_times), 101, 'the first request waits out the 100 ms prefill');
  assert.ok(maxGap(chunked[0]!.token_times) < 10);
  assert.ok(chunked[1]!.token_times[0]! > whole[1]!.token_times[0]!, 'the long prompt itself finishes later');
});

test('non-negative least squares recovers exact coefficients and drops a negative one', () => {
  const rows = [[1, 1, 0], [1, 2, 1], [1, 4, 0], [1, 8, 3]];
  const coef = nonNegativeLeastSquares(rows, rows.map(([a, b, c]) => 0.5 * a! + 0.25 * b! + 2 * c!))!;
  coef.forEach((c, i) => near(c, [0.5, 0.25, 2][i]!, `coefficient ${i}`));
  const clipped = nonNegativeLeastSquares(rows, rows.map(([, b]) => 3 - 0.1 * b!))!;
  assert.ok(clipped.every((c) => c >= 0));
});
