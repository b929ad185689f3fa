import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultsDocument } from '../../results/results-document.js';
import { calibrate } from './calibrate.js';
import type { CostModel } from './cost-model.js';
import { runSimulation } from './run-sim.js';
import { simRecords } from './sim-records.js';
import { KNOWN_COST } from '../../../test/support/sim-cost.js';

const truth = KNOWN_COST;

const run = (concurrency: number, requests: number, cost: CostModel = truth, lengths = (_i: number) => ({ input_tokens: 300, output_tokens: 128 })) => ({
  id: `c${concurrency}`,
  results: { run: { config: { concurrency } } } as unknown as ResultsDocument,
  records: simRecords(runSimulation({ cost, load: { kind: 'concurrency', concurrency }, requests, lengths, turnaroundMs: [1] })),
});

test('one prompt length: the prefill cost per token is recovered from how TTFT grows when prompts are prefilled together', () => {
  const cal = calibrate([run(1, 16), run(4, 48)], 4);
  const c = cal.cost;
  assert.ok(Math.abs(c.prefill_per_token_ms - 0.03) / 0.03 < 0.05, JSON.stringify(c));
  assert.ok(Math.abs(c.prefill_base_ms - 0.7) < 0.3, JSON.stringify(c));
  assert.equal(c.prefill_per_seq_ms, 0);
  // The decode step is fitted with the prefills that stalled it taken out (none here: the four run in step).
  assert.ok(Math.abs(c.decode_base_ms + 4 * c.decode_per_seq_ms - 1.05) / 1.05 < 0.05, JSON.stringify(c));
  assert.match(cal.notes.join('\n'), /prefill cost per token fitted through the simulation/);
});

test('past the slots, prefills stall the decoding requests; the decode step fitted from such a run leaves the stalls out', () => {
  const busy = run(6, 60);
  const stalled = calibrate([busy], 4).points.filter((p) => p.stalls.some(([after]) => after > 0.03 * 300));
  assert.ok(stalled.length > 10, 'prompts prefilled while others decoded');
  const cal = calibrate([run(1, 16), run(4, 48), busy], 4);
  const step4 = cal.cost.decode_base_ms + 4 * cal.cost.decode_per_seq_ms;
  assert.ok(Math.abs(step4 - 1.05) / 1.05 < 0.05, JSON.stringify(cal.cost));
  assert.ok(Math.abs(cal.cost.prefill_per_token_ms - 0.03) / 0.03 < 0.05, JSON.stringify(cal.cost));
});

test('output lengths that vary keep prompts apart: TTFT that grows with the running sequences is fitted per sequence; requests that waited place the fixed part', () => {
  const lengths = (i: number) => ({ input_tokens: 300, output_tokens: 64 + ((i * 37) % 129) });
  for (const fixedWhileQueued of [true, false]) {
    const t = { ...truth, prefill_base_ms: 6, prefill_per_seq_ms: 1, fixed_while_queued: fixedWhileQueued };
    const cal = calibrate([run(1, 24, t, lengths), run(4, 48, t, lengths), run(6, 48, t, lengths)], 4);
    assert.equal(cal.cost.fixed_while_queued, fixedWhileQueued, JSON.stringify(cal.cost));
    // Read from the requests that waited: their first token a prompt's compute, or the fixed part besides, after the end that freed their place.
    const gaps = cal.points.flatMap((p) => (p.after_place_ms !== null ? [p.after_place_ms] : [])).sort((a, b) => a - b);
    const gap = gaps[gaps.length >> 1]!;
    const compute = 300 * t.prefill_per_token_ms;
    const want = fixedWhileQueued ? compute : compute + 6 + 3 * 1;
    assert.ok(Math.abs(gap - want) < 1.5, `median gap ${gap} ms, want ${want}`);
    assert.ok(Math.abs(cal.cost.prefill_per_seq_ms - 1) < 0.35, JSON.stringify(cal.cost));
  }
});

test('prompt lengths that vary: the prefill cost per token is recovered (TTFT across them, then the stalls)', () => {
  const lengths = (i: number) => ({ input_tokens: 100 + ((i * 613) % 1400), output_tokens: 64 + ((i * 37) % 129) });
  const t = { ...truth, prefill_base_ms: 2 };
  const cal = calibrate([run(1, 32, t, lengths), run(4, 64, t, lengths)], 4);
  assert.match(cal.notes.join('\n'), /prefill cost per token first estimated from TTFT across prompt lengths/);
  assert.ok(Math.abs(cal.cost.prefill_per_token_ms - 0.03) / 0.03 < 0.1, JSON.stringify(cal.cost));
});
