import { quantileSorted } from '../../stats/percentiles.js';
import type { CostModel } from './cost-model.js';
import { nonNegativeLeastSquares } from './least-squares.js';
import { simulateRepeats, type RunLengths, type SimLoad } from './run-sim.js';

/** Calibration runs at one load as the decode refit sees them: the load, each run's requests' lengths in order, their pooled TPOT p50 and mean batch. */
export interface TpotTarget {
  load: SimLoad;
  runs: RunLengths[];
  tpot_p50_ms: number;
  /** Mean number of sequences decoding beside each of its requests (itself included). */
  batch: number;
}

/** Refits stop once every run's simulated TPOT p50 is within this share of the measured one. */
const TOLERANCE = 0.002;
const MAX_ROUNDS = 8;

/**
 * Adjusts the decode step (`decode_base_ms + decode_per_seq_ms x batch`) until the simulator reproduces the TPOT p50
 * of each load's calibration runs: the per-request fit sets the shape, but what the check compares is the p50 of the
 * simulated requests, with the stalls, queueing and batch changes the simulation adds. Each round moves the line so
 * that it passes, at each load's mean batch, through the step that load's miss asks for (non-negative least squares;
 * with one load, a common scale).
 */
export function fitDecodeThroughSimulation(cost: CostModel, targets: readonly TpotTarget[], seed: number, turnaroundMs: readonly number[]): CostModel {
  let c = cost;
  // The rounds keep the cost whose worst miss is smallest: where no line fits every run (the simulated stalls ask for
  // a negative fixed part), a round can trade one run's miss for another's.
  let best = { cost, miss: Infinity };
  for (let round = 0; round <= MAX_ROUNDS && targets.length > 0; round++) {
    const predicted = targets.map((t) => simulatedTpotP50(c, t, seed, turnaroundMs));
    if (predicted.some((p) => !(p > 0))) break;
    const miss = Math.max(...targets.map((t, i) => Math.abs(predicted[i]! - t.tpot_p50_ms) / t.tpot_p50_ms));
    if (miss < best.miss) best = { cost: c, miss };
    if (miss <= TOLERANCE || round === MAX_ROUNDS) break;
    const step = (b: number): number => c.decode_base_ms + c.decode_per_seq_ms * b;
    const wanted = targets.map((t, i) => step(t.batch) + t.tpot_p50_ms - predicted[i]!);
    const distinct = new Set(targets.map((t) => t.batch.toFixed(1))).size >= 2;
    const fit = distinct ? nonNegativeLeastSquares(targets.map((t) => [1, t.batch]), wanted) : null;
    if (fit) {
      c = { ...c, decode_base_ms: fit[0]!, decode_per_seq_ms: fit[1]! };
    } else {
      const scale = targets.reduce((s, t, i) => s + t.tpot_p50_ms / predicted[i]!, 0) / targets.length;
      c = { ...c, decode_base_ms: c.decode_base_ms * scale, decode_per_seq_ms: c.decode_per_seq_ms * scale };
    }
  }
  return best.cost;
}

/** TPOT p50 of the requests the simulator predicts for a target's runs, pooled (those with two tokens or more). */
function simulatedTpotP50(cost: CostModel, t: TpotTarget, seed: number, turnaroundMs: readonly number[]): number {
  const out = simulateRepeats(cost, t.load, t.runs, seed, turnaroundMs);
  const tpot = Float64Array.from(out.filter((o) => o.token_times.length > 1).map((o) => (o.token_times.at(-1)! - o.token_times[0]!) / (o.token_times.length - 1))).sort();
  return tpot.length > 0 ? quantileSorted(tpot, 0.5) : Number.NaN;
}
