import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CostModel } from './cost-model.js';
import { fitDecodeThroughSimulation, type TpotTarget } from './fit-decode.js';
import { runSimulation } from './run-sim.js';
import { KNOWN_COST } from '../../../test/support/sim-cost.js';

const truth: CostModel = { ...KNOWN_COST, prefill_base_ms: 1, prefill_per_seq_ms: 0.5 };

const lengths = Array.from({ length: 48 }, (_, i) => ({ input_tokens: 300, output_tokens: 64 + ((i * 37) % 129) }));

function target(concurrency: number, batch: number): TpotTarget {
  const out = runSimulation({ cost: truth, load: { kind: 'concurrency', concurrency }, requests: lengths.length, lengths: (i) => lengths[i]!, turnaroundMs: [1] });
  const tpot = out.map((o) => (o.token_times.at(-1)! - o.token_times[0]!) / (o.token_times.length - 1)).sort((a, b) => a - b);
  return { load: { kind: 'concurrency', concurrency }, runs: [lengths], tpot_p50_ms: (tpot[23]! + tpot[24]!) / 2, batch };
}

test('the decode step is moved until the simulated TPOT p50 of each calibration run is the measured one', () => {
  const targets = [target(1, 1), target(4, 3.8)];
  const off = { ...truth, decode_base_ms: 0.2, decode_per_seq_ms: 0.35 };
  const fitted = fitDecodeThroughSimulation(off, targets, 42, [1]);
  for (const n of [1, 4]) {
    const step = fitted.decode_base_ms + fitted.decode_per_seq_ms * n;
    const want = truth.decode_base_ms + truth.decode_per_seq_ms * n;
    assert.ok(Math.abs(step - want) / want < 0.03, `batch ${n}: ${step} vs ${want} (${JSON.stringify(fitted)})`);
  }
  // Already right: left as it is.
  assert.deepEqual(fitDecodeThroughSimulation(truth, targets, 42, [1]), truth);
});
