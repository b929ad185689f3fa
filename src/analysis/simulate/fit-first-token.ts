import { quantileSorted } from '../../stats/percentiles.js';
import type { CostModel } from './cost-model.js';
import { simulateRepeats, type RunLengths, type SimLoad } from './run-sim.js';

/**
 * Measured runs at one load as the first-token fit sees them: the load, each run's requests' lengths in order, and
 * the TTFT p50 of their pooled requests that found a free place (no queueing).
 */
export interface TtftTarget {
  load: SimLoad;
  runs: RunLengths[];
  ttft_p50_ms: number;
}

/** TTFT p50 the simulator predicts for a target's runs, pooled, of the requests admitted at once (of all when none was). */
function simulatedTtftP50(cost: CostModel, t: TtftTarget, seed: number, turnaroundMs: readonly number[]): number {
  const out = simulateRepeats(cost, t.load, t.runs, seed, turnaroundMs);
  const admitted = out.filter((o) => o.t_admitted <= o.request.t_arrival + 1e-9);
  const ttft = Float64Array.from((admitted.length > 0 ? admitted : out).map((o) => o.token_times[0]! - o.request.t_arrival)).sort();
  return quantileSorted(ttft, 0.5);
}

/** The first-token cost fitted beside the fixed part: per sequence running beside it, or per prompt token (compute shared with every running sequence). */
export type FirstTokenParam = 'prefill_per_seq_ms' | 'prefill_per_token_ms';

const GOLDEN = (Math.sqrt(5) - 1) / 2;
/** Points of the coarse scan before the golden-section search. */
const SCAN_POINTS = 24;
/** RMS relative error (%) of the fixed-cost-only fit below which no per-sequence cost is fitted. */
const PLAIN_FIT_PCT = 5;

/**
 * Fits the fixed and per-sequence parts of the first-token time so that the simulator reproduces the measured TTFT
 * p50 of each load's calibration requests that were admitted at once (queueing is the simulator's to predict, not a
 * cost): the per-sequence part by golden-section search, the fixed part for each candidate by
 * shifting it until the runs' mean error is zero. Fitting through the simulation keeps queueing and concurrent
 * prefills (which the simulator models) out of the fitted costs.
 */
export function fitFirstToken(
  cost: CostModel,
  targets: readonly TtftTarget[],
  seed: number,
  turnaroundMs: readonly number[],
  param: FirstTokenParam = 'prefill_per_seq_ms',
): { base: number; value: number; errorPct: number } {
  const predict = (c: CostModel, t: TtftTarget): number => simulatedTtftP50(c, t, seed, turnaroundMs);
  const solveBase = (value: number): { base: number; err: number } => {
    let base = Math.max(0, cost.prefill_base_ms);
    for (let k = 0; k < 6; k++) {
      const c = { ...cost, prefill_base_ms: base, [param]: value };
      const diffs = targets.map((t) => t.ttft_p50_ms - predict(c, t));
      const shift = diffs.reduce((s, d) => s + d, 0) / diffs.length;
      base = Math.max(0, base + shift);
      if (Math.abs(shift) < 1e-3) break;
    }
    const c = { ...cost, prefill_base_ms: base, [param]: value };
    const err = targets.reduce((s, t) => s + ((predict(c, t) - t.ttft_p50_ms) / t.ttft_p50_ms) ** 2, 0);
    return { base, err };
  };
  // The whole of the largest TTFT, as a per-sequence cost or spread over the shortest prompt.
  const shortest = Math.max(1, Math.min(...targets.flatMap((t) => t.runs.flat().map((l) => l.input_tokens))));
  const top = Math.max(...targets.map((t) => t.ttft_p50_ms)) / (param === 'prefill_per_token_ms' ? shortest : 1);
  // The error is not unimodal in the cost (whether prompts meet in one prefill batch flips with it), so a coarse
  // scan picks the bracket first and the golden-section search refines within it.
  const grid = Array.from({ length: SCAN_POINTS + 1 }, (_, i) => (top * i) / SCAN_POINTS);
  const scanned = grid.map((x) => solveBase(x).err);
  const at = scanned.indexOf(Math.min(...scanned));
  let lo = grid[Math.max(0, at - 1)]!;
  let hi = grid[Math.min(SCAN_POINTS, at + 1)]!;
  const tolerance = top * 1e-4;
  let x1 = hi - GOLDEN * (hi - lo);
  let x2 = lo + GOLDEN * (hi - lo);
  let f1 = solveBase(x1);
  let f2 = solveBase(x2);
  for (let k = 0; k < 40 && hi - lo > tolerance; k++) {
    if (f1.err <= f2.err) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - GOLDEN * (hi - lo);
      f1 = solveBase(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + GOLDEN * (hi - lo);
      f2 = solveBase(x2);
    }
  }
  // Parsimony: the second cost is kept only when the fixed cost alone misses the runs by more than the noise of
  // a p50 (PLAIN_FIT_PCT) and the second cost halves that miss; otherwise it would only fit noise.
  const rms = (err: number): number => Math.sqrt(err / targets.length) * 100;
  const plain = solveBase(0);
  const fitted = f1.err <= f2.err ? { value: x1, ...f1 } : { value: x2, ...f2 };
  const best = rms(plain.err) > PLAIN_FIT_PCT && rms(fitted.err) < rms(plain.err) / 2 ? fitted : { value: 0, ...plain };
  return { base: best.base, value: best.value, errorPct: rms(best.err) };
}
