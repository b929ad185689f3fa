/**
 * `sweep.json`: one document for a family of steps, each an ordinary stored run, with the frontier and knee
 * derived from the steps' summaries by pure functions (so they are recomputed, never edited).
 */
import { diagnoseSweep } from '../analysis/diagnose-sweep.js';
import type { Diagnosis } from '../results/findings.js';
import type { ResultsDocument } from '../results/results-document.js';
import { quantileSorted } from '../stats/percentiles.js';
import { findKnee } from './knee.js';
import { paretoFront } from './pareto.js';
import type { SweepAxis } from './plan.js';

export const SWEEP_SCHEMA_VERSION = 'inferscope.sweep/1';

export interface SweepStep {
  /** Position in the sweep (steps in increasing load; repeats of one load are consecutive, or in rounds when `interleaved`). */
  index: number;
  /** 0-based repeat of this load (see `repeat`). */
  repeat: number;
  load: { concurrency: number } | { rate: number };
  run_id: string;
  status: ResultsDocument['run']['status'];
  summary: ResultsDocument['summary'];
  /** The server's gauges over the step (running, waiting, KV cache), when scraped. */
  server: Pick<NonNullable<ResultsDocument['server']>, 'requests_running' | 'requests_waiting' | 'kv_cache_usage'> | null;
}

export interface SweepDocument {
  schema_version: typeof SWEEP_SCHEMA_VERSION;
  id: string;
  /** running while steps are being measured (the file is rewritten after each), then completed or interrupted. */
  status: 'running' | 'completed' | 'interrupted';
  started_at: string;
  ended_at: string | null;
  axis: SweepAxis;
  repeat: number;
  /** The repeats ran in rounds (every load, then every load again): the default of `sweep --repeat`, off with `--no-interleave`. */
  interleaved?: boolean;
  target: ResultsDocument['run']['target'];
  steps: SweepStep[];
  /**
   * Steps on the Pareto frontier (indices into `steps`): throughput (output tok/s) against per-user speed
   * (1/TPOT p50, tok/s) and against latency (E2E p99, ms).
   */
  pareto: { per_user_speed: number[]; e2e_p99: number[] };
  /** The last step before latency (E2E p50) grows faster than throughput (output tok/s); null if it never does. */
  knee: { step: number; load: SweepStep['load']; elasticity: number } | null;
  /**
   * What limits the server across the completed steps (`inferscope analyze` on the sweep): decode scaling with the
   * batch, where queueing starts, prefill sharing; each finding with its evidence and advice.
   */
  diagnosis?: Diagnosis;
  /**
   * With `repeat` above 1: each load's completed repeats side by side, as the median and range of their figures (the
   * range is the run-to-run noise).
   */
  loads?: LoadRepeats[];
  /** Rate sweeps: the rate at which the server stopped keeping up (the step's summary.saturation); later rates were not run. */
  saturated_at?: number;
  /** With --find-capacity: the highest load whose SLO attainment held, with its bracket and probes. */
  capacity?: {
    requests_per_s?: number | null;
    concurrency?: number | null;
    /** [highest passing load, lowest failing load]. */
    bracket: [number | null, number | null];
    attainment_target: number;
    probes: Array<{ load: number; attainment: number | null; pass: boolean; step: number }>;
    stopped_by: string;
    /** Cost per 1M output / total tokens at the capacity load (its step's summary.cost); null without prices. */
    cost_per_1m_output_tokens?: number | null;
    cost_per_1m_total_tokens?: number | null;
    method: string;
  };
}

/** A figure over one load's repeats. */
export interface RepeatSpread {
  median: number;
  min: number;
  max: number;
}

/** One load's repeats in a sweep with `repeat` above 1 (see SweepDocument.loads). */
export interface LoadRepeats {
  load: SweepStep['load'];
  /** Indices of its completed steps. */
  steps: number[];
  ttft_p50_ms: RepeatSpread | null;
  tpot_p50_ms: RepeatSpread | null;
  e2e_p99_ms: RepeatSpread | null;
  output_tokens_per_s: RepeatSpread | null;
}

/** Output tok/s per user at a step: 1000 / TPOT p50 (ms); null without a TPOT. */
export function perUserSpeed(step: Pick<SweepStep, 'summary'>): number | null {
  const tpot = step.summary.tpot_ms.p50;
  return tpot !== null && tpot > 0 ? 1000 / tpot : null;
}

/**
 * The document for the steps so far: frontier and knee over completed steps only (an interrupted step's
 * figures cover part of its load).
 */
export function buildSweepDocument(meta: Omit<SweepDocument, 'schema_version' | 'pareto' | 'knee' | 'loads' | 'diagnosis'>): SweepDocument {
  const usable = meta.steps.map((s) => s.status === 'completed');
  const throughput = (s: SweepStep): number | null => s.summary.throughput.output_tokens_per_s;
  const points = (y: (s: SweepStep) => number | null) => meta.steps.map((s, i) => (usable[i] ? { x: throughput(s), y: y(s) } : { x: null, y: null }));
  // Repeats of one load are averaged so the knee is found between loads, not between repeats.
  const loads = [...new Set(meta.steps.map(loadValue))].sort((a, b) => a - b);
  const kneeSteps = loads.map((v) => {
    const group = meta.steps.filter((s, i) => usable[i] && loadValue(s) === v);
    return { throughput: meanOf(group.map(throughput)), latency: meanOf(group.map((s) => s.summary.e2e_ms.p50)) };
  });
  const found = findKnee(kneeSteps);
  const kneeStep = found ? meta.steps.findIndex((s) => loadValue(s) === loads[found.index]) : -1;
  const diagnosis = sweepDiagnosis(meta.steps);
  return {
    schema_version: SWEEP_SCHEMA_VERSION,
    ...meta,
    pareto: {
      per_user_speed: paretoFront(points(perUserSpeed), 'max'),
      e2e_p99: paretoFront(points((s) => s.summary.e2e_ms.p99), 'min'),
    },
    knee: found && kneeStep >= 0 ? { step: kneeStep, load: meta.steps[kneeStep]!.load, elasticity: found.elasticity } : null,
    ...(meta.repeat > 1 ? { loads: loadRepeats(meta.steps, usable, loads) } : {}),
    ...(diagnosis ? { diagnosis } : {}),
  };
}

/**
 * What limits the server across a sweep's completed steps (`SweepDocument.diagnosis`); undefined with fewer than two,
 * which have nothing to compare.
 */
export function sweepDiagnosis(steps: readonly SweepStep[]): Diagnosis | undefined {
  const completed = steps.filter((s) => s.status === 'completed');
  return completed.length >= 2 ? diagnoseSweep({ steps: completed }) : undefined;
}

function loadRepeats(steps: readonly SweepStep[], usable: readonly boolean[], loads: readonly number[]): LoadRepeats[] {
  return loads.flatMap((v) => {
    const idx = steps.flatMap((s, i) => (usable[i] && loadValue(s) === v ? [i] : []));
    if (idx.length === 0) return [];
    const spread = (pick: (s: SweepStep) => number | null): RepeatSpread | null => {
      const xs = Float64Array.from(idx.map((i) => pick(steps[i]!)).filter((x): x is number => x !== null && Number.isFinite(x))).sort();
      return xs.length === 0 ? null : { median: quantileSorted(xs, 0.5), min: xs[0]!, max: xs[xs.length - 1]! };
    };
    return [
      {
        load: steps[idx[0]!]!.load,
        steps: idx,
        ttft_p50_ms: spread((s) => s.summary.ttft_ms.p50),
        tpot_p50_ms: spread((s) => s.summary.tpot_ms.p50),
        e2e_p99_ms: spread((s) => s.summary.e2e_ms.p99),
        output_tokens_per_s: spread((s) => s.summary.throughput.output_tokens_per_s),
      },
    ];
  });
}

function loadValue(s: SweepStep): number {
  return 'concurrency' in s.load ? s.load.concurrency : s.load.rate;
}

function meanOf(xs: Array<number | null>): number | null {
  const ok = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return ok.length > 0 ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}
