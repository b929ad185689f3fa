import { selectMeasured } from '../../measure/measured.js';
import { quantileSorted } from '../../stats/percentiles.js';
import { calibrationPoints, turnarounds, type CalibrationPoint } from './calibration-points.js';
import type { CostModel } from './cost-model.js';
import { nonNegativeLeastSquares, nonNegativeMedianRegression } from './least-squares.js';
import { fitFirstToken, type TtftTarget } from './fit-first-token.js';
import { fitDecodeThroughSimulation, type TpotTarget } from './fit-decode.js';
import { gatherByLoad, runLoad, type CalibrationRun } from './run-load.js';
import type { RunLengths, SimLoad } from './run-sim.js';

export interface Calibration {
  cost: CostModel;
  points: CalibrationPoint[];
  /** Prompt and output lengths of the calibration requests, for workloads that default to them. */
  lengths: Array<{ input_tokens: number; output_tokens: number }>;
  /** Closed-loop runs: times from a response's end to the next request's send (the client's turnaround), ms. */
  turnaround_ms: number[];
  notes: string[];
}

/** A run's first-token target counts for the per-token fit when at least this share of its requests found a free place. */
const MIN_ADMITTED_SHARE = 0.5;

/** RMS errors (percentage points) within which two first-token models fit the runs alike. */
const CLOSE_FIT_PCT = 1;

/** Prompt lengths vary enough across requests to fit the prefill cost per token from TTFT alone. */
const PROMPT_SPREAD_CV = 0.15;

/**
 * Fits a cost model to measured runs (two or more at different loads fit best): the decode step from each request's
 * TPOT against the batch it shared and the prompts prefilled meanwhile (non-negative least squares), the prefill
 * cost per prompt token from TTFT across prompt lengths (or from the stalls, or, with one length and one load, all
 * of TTFT beyond a decode step), and the fixed part of TTFT from requests that did not queue.
 */
export function calibrate(runs: readonly CalibrationRun[], maxSeqs: number | null, seed = 42): Calibration {
  const notes: string[] = [];
  const perRun = runs.map((run) => ({ run, points: calibrationPoints(selectMeasured(run.records).succeeded, maxSeqs) }));
  const points = perRun.flatMap((x) => x.points);
  if (points.length < 3) throw new RangeError(`calibration needs at least 3 succeeded requests with a first token, got ${points.length}`);
  const withTpot = points.filter((p) => p.tpot_ms !== null);
  const decode = nonNegativeLeastSquares(
    withTpot.map((p) => [1, p.batch, p.stall_tokens_per_token]),
    withTpot.map((p) => p.tpot_ms!),
  ) ?? [median(withTpot.map((p) => p.tpot_ms!)) || 0, 0, 0];
  const [a, b, cStall] = decode as [number, number, number];
  const free = points.filter((p) => maxSeqs === null || p.held_at_send < maxSeqs);
  const basis = free.length >= 3 ? free : points;
  if (basis !== free) notes.push('every calibration request found the server full; the fixed part of TTFT includes queueing');
  // TTFT of requests that did not queue = fixed + per decoding sequence x n + per token x P. The prompt term comes from
  // TTFT when prompt lengths vary, else from the stalls prefills caused in other requests' decoding.
  const spread = cv(basis.map((p) => p.input_tokens)) >= PROMPT_SPREAD_CV;
  let perToken = cStall;
  if (spread) {
    const fit = nonNegativeLeastSquares(basis.map((p) => [1, Math.min(p.held_at_send, (maxSeqs ?? Infinity) - 1), p.input_tokens]), basis.map((p) => p.ttft_ms));
    if (fit) perToken = fit[2]!;
    notes.push('prefill cost per token first estimated from TTFT across prompt lengths, then set by the stalls it causes in other requests');
  }
  const rest = nonNegativeLeastSquares(basis.map((p) => [1, Math.min(p.held_at_send, (maxSeqs ?? Infinity) - 1)]), basis.map((p) => p.ttft_ms - perToken * p.input_tokens)) ?? [
    Math.max(0, median(basis.map((p) => p.ttft_ms - perToken * p.input_tokens))),
    0,
  ];
  const [base, perSeq] = rest as [number, number];
  let cost: CostModel = {
    decode_base_ms: a,
    decode_per_seq_ms: b,
    prefill_base_ms: base,
    prefill_per_seq_ms: perSeq,
    prefill_per_token_ms: perToken,
    max_seqs: maxSeqs,
    kv_capacity_tokens: null,
    prefill_chunk_tokens: null,
    fixed_while_queued: true,
    source: `calibrated on ${runs.map((r) => r.id).join(', ')} (${points.length} requests)`,
  };
  // With the runs' loads known, the first-token costs are refitted through the simulation (see fit-first-token.ts),
  // to the p50 of each load's requests: repeats at one load are pooled, as a check pools them (a run's own p50 moves
  // with where its requests happened to fall, more so where TTFT is spread wide).
  const loads: LoadRuns[] = gatherByLoad(perRun, (m) => m.run, () => '');
  const targets = loads.flatMap(({ load, members }): Array<TtftTarget & { share: number }> => {
    const pts = members.flatMap((m) => m.points);
    const admitted = pts.filter((p) => maxSeqs === null || p.held_at_send < maxSeqs);
    if (admitted.length === 0) return [];
    return [{ load, ttft_p50_ms: median(admitted.map((p) => p.ttft_ms)), runs: members.map((m) => lengthsOf(m.points)), share: admitted.length / pts.length }];
  });
  const turnaround = perRun.flatMap(({ run }) => (runLoad(run)?.kind === 'concurrency' ? turnarounds(selectMeasured(run.records).counted) : []));
  // With one prompt length, TTFT alone cannot split a prompt's compute from the fixed part; how it grows when prompts
  // are prefilled together (two runs at different loads, most requests finding a free place) can. That compute also
  // stalls decoding, so the decode step is refitted without it.
  const strong = targets.filter((t) => t.share >= MIN_ADMITTED_SHARE);
  const perTokenFit = !spread && strong.length >= 2;
  if (!spread && !perTokenFit) {
    notes.push(cStall > 0 ? 'prefill cost per token fitted from the stalls it caused in other requests (one prompt length)' : "one prompt length and no stalls seen: the prompt's share of TTFT is unknown and counted as fixed");
  }
  if (targets.length > 0) {
    // A run where most requests queued says little about the first-token costs: its few admitted ones are not a
    // fair sample (they are the ones sent just as a place freed), so such runs count only when no other does.
    const use = strong.length > 0 ? strong : targets;
    // A prompt's compute cannot exceed the lightest load's whole TTFT: the stalls can overstate it (a busy machine
    // slows the decode steps they are read from).
    const cap = Math.min(...use.map((t) => t.ttft_p50_ms / Math.max(1, mean(t.runs.flat().map((l) => l.input_tokens)))));
    const stallCost = fitStallCost(withTpot, cap);
    const perSeq = fitFirstToken({ ...cost, prefill_per_token_ms: stallCost }, use, seed, turnaround, 'prefill_per_seq_ms');
    // When prompts rarely meet in one prefill (output lengths that vary keep the users apart), the growth of TTFT with
    // load is contention, not shared prefill compute: the per-token fit then explains less than the per-sequence one.
    const start = { ...cost, prefill_per_seq_ms: 0, prefill_per_token_ms: 0 };
    const perTok = perTokenFit ? fitFirstToken(start, use, seed, turnaround, 'prefill_per_token_ms') : null;
    // The per-token model is kept when it found a cost and fits the runs about as well (within a point of rms error;
    // both fit exactly when prompts do meet). Without a cost it would leave the prompt's compute in the fixed part,
    // which overlaps a queued request's wait where the compute cannot.
    if (perTok && perTok.value > 0 && perTok.errorPct <= perSeq.errorPct + CLOSE_FIT_PCT) {
      cost = { ...start, prefill_base_ms: perTok.base, prefill_per_token_ms: perTok.value };
      notes.push(`first-token costs fitted through the simulation to each load's TTFT p50 (rms error ${perTok.errorPct.toFixed(1)}%)`);
      notes.push('one prompt length: the prefill cost per token fitted through the simulation to how TTFT grows with prompts prefilled together');
      cost = { ...cost, ...decodeWithStalls(withTpot, cost.prefill_per_token_ms) };
    } else {
      cost = { ...cost, prefill_base_ms: perSeq.base, prefill_per_seq_ms: perSeq.value, prefill_per_token_ms: stallCost };
      cost = { ...cost, ...decodeWithStalls(withTpot, cost.prefill_per_token_ms) };
      notes.push(`first-token costs fitted through the simulation to each load's TTFT p50 (rms error ${perSeq.errorPct.toFixed(1)}%)`);
      if (perTok) notes.push(`one prompt length: TTFT grows with the sequences running beside it rather than with prompts prefilled together (per-token fit: rms error ${perTok.errorPct.toFixed(1)}%)`);
    }
  }
  cost = placeFixedPart(cost, points, maxSeqs, notes);
  // Last, the decode step through the simulation, so each load's simulated TPOT p50 is its measured one.
  const tpotTargets = loads.flatMap(({ load, members }): TpotTarget[] => {
    const pts = members.flatMap((m) => m.points);
    const tpots = pts.flatMap((p) => (p.tpot_ms !== null ? [p.tpot_ms] : []));
    if (tpots.length === 0) return [];
    return [{ load, runs: members.map((m) => lengthsOf(m.points)), tpot_p50_ms: median(tpots), batch: pts.reduce((s, p) => s + p.batch, 0) / pts.length }];
  });
  cost = fitDecodeThroughSimulation(cost, tpotTargets, seed, turnaround);
  return { cost, points, lengths: [...lengthsOf(points)], turnaround_ms: turnaround, notes };
}

/**
 * Whether the fixed part of the first-token time overlaps a wait for a place (a front end that tokenizes on arrival)
 * or starts once the request is admitted, from the runs' requests that waited: how long after the end that freed
 * their place their first token came, against what each choice expects (the prompt's compute, or the fixed part
 * besides). Read from the records rather than through the simulation: how long a request waits depends on how far the
 * running ones drifted apart, which one run's p50 shows and the simulation does not reproduce. Without such requests,
 * the overlap real engines have.
 */
function placeFixedPart(cost: CostModel, points: readonly CalibrationPoint[], maxSeqs: number | null, notes: string[]): CostModel {
  if (maxSeqs === null) return cost;
  const waited = points.filter((p) => p.after_place_ms !== null);
  if (waited.length < 3) return cost;
  const gap = median(waited.map((p) => p.after_place_ms!));
  const compute = median(waited.map((p) => p.input_tokens)) * cost.prefill_per_token_ms;
  const fixed = cost.prefill_base_ms + cost.prefill_per_seq_ms * (maxSeqs - 1);
  if (Math.abs(gap - compute - fixed) >= Math.abs(gap - compute)) return cost;
  notes.push(
    `requests that waited for a place got their first token ${gap.toFixed(1)} ms after it freed (median): the server does the fixed part of the first-token time (${fixed.toFixed(1)} ms) only once a request is admitted`,
  );
  return { ...cost, fixed_while_queued: false };
}

/** Scan points for the prompt's cost read from the stalls. */
const STALL_SCAN_POINTS = 32;

/**
 * The prefill cost per prompt token that best explains the stalls in other requests' decoding, counted as the
 * simulator counts them (only the part of a prefill after a request's first token stalls it): the cost between 0 and
 * `cap` whose decode fit leaves the least absolute error.
 */
function fitStallCost(withTpot: readonly CalibrationPoint[], cap: number): number {
  if (!(cap > 0) || withTpot.length < 3) return 0;
  let best = { p: 0, err: Infinity };
  for (let i = 0; i <= STALL_SCAN_POINTS; i++) {
    const p = (cap * i) / STALL_SCAN_POINTS;
    const fit = decodeWithStalls(withTpot, p);
    if (fit.decode_base_ms === undefined) continue;
    const err = withTpot.reduce((s, q) => s + Math.abs(q.tpot_ms! - stallMs(q, p) / Math.max(1, q.output_tokens - 1) - fit.decode_base_ms! - fit.decode_per_seq_ms! * q.batch), 0);
    if (err < best.err) best = { p, err };
  }
  return best.p;
}

function stallMs(q: CalibrationPoint, perToken: number): number {
  return q.stalls.reduce((s, [after, tokens]) => s + Math.min(after, perToken * tokens), 0);
}

/**
 * The decode step refitted with the stalls other requests' prefills caused taken out: at `perToken` per prompt token,
 * the part of each prefill after this request's first token (a prompt prefilled in the same batch stalls nothing).
 * A median regression: it fits the typical request, as the simulator is checked on p50s.
 */
function decodeWithStalls(withTpot: readonly CalibrationPoint[], perToken: number): Pick<CostModel, 'decode_base_ms' | 'decode_per_seq_ms'> | Record<string, never> {
  const fit = nonNegativeMedianRegression(
    withTpot.map((p) => [1, p.batch]),
    withTpot.map((p) => p.tpot_ms! - stallMs(p, perToken) / Math.max(1, p.output_tokens - 1)),
  );
  return fit ? { decode_base_ms: fit[0]!, decode_per_seq_ms: fit[1]! } : {};
}

interface LoadRuns {
  load: SimLoad;
  members: Array<{ run: CalibrationRun; points: CalibrationPoint[] }>;
}

/** Prompt and output lengths of the points' requests, in order (what the simulator replays). */
function lengthsOf(points: readonly CalibrationPoint[]): RunLengths {
  return points.map((p) => ({ input_tokens: p.input_tokens, output_tokens: p.output_tokens }));
}

function median(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : quantileSorted(Float64Array.from(xs).sort(), 0.5);
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}

function cv(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
  return m > 0 ? sd / m : 0;
}
