import type { Consistency } from './consistency.js';
/** Data shapes of a comparison: the runs going in and the report coming out (pure data, JSON as is). */
import type { RequestRecord } from '../measure/record.js';
import type { RunSummary } from '../stats/summary.js';
import type { MetricDef } from './metrics.js';

/** What `compare` needs of a run: results.json's run section and summary, plus its records when available. */
export interface RunInfo {
  id: string;
  tool_version: string;
  /** completed | interrupted | invalid (| running for a store run still being written). */
  status: string;
  /** The run's redacted benchmark options (camelCase keys as `bench` stores them). */
  config: unknown;
  target: { url: string; model: string; api: string; embedded?: boolean };
  summary: RunSummary;
  /** results.json's `server` section (shape owned by server-metrics), when the run scraped /metrics. */
  server?: unknown;
}

export interface LoadedRun {
  /** How the user referred to it (path or store reference) with the run id, for display. */
  label: string;
  /** Where it came from: a results.json path or "store:<db path>". */
  source: string;
  results: RunInfo;
  /** Every request record (warm-up included); null when none are available (results.json alone). */
  records: RequestRecord[] | null;
  /** Facts found while loading (e.g. a truncated last line of requests.jsonl), carried into the report. */
  notes?: string[];
}

export type Verdict = 'improved' | 'regressed' | 'no_significant_change' | 'n/a';

/**
 * How the interval was computed: bootstrap (requests resampled), cluster_bootstrap (requests resampled with
 * all their ITL gaps), block_bootstrap (time buckets), newcombe (difference of proportions).
 */
export type CiMethod = 'bootstrap' | 'cluster_bootstrap' | 'block_bootstrap' | 'newcombe' | 'welch';

export interface ConfidenceInterval {
  low: number;
  high: number;
  /** relative_pct: of candidate/base - 1, in %; absolute_pp: of p_candidate - p_base, in percentage points. */
  scale: 'relative_pct' | 'absolute_pp';
  method: CiMethod;
}

export interface MetricComparison {
  metric: string;
  label: string;
  unit: MetricDef['unit'];
  better: MetricDef['better'];
  /** Point values from all samples (ms, per second, or a proportion in [0, 1] for unit "%"). */
  base: number | null;
  candidate: number | null;
  /** (candidate / base - 1) * 100; Infinity when base is 0 and candidate is not. */
  change_pct: number | null;
  ci: ConfidenceInterval | null;
  /** The practical threshold applied, in % of the base value. */
  threshold_pct: number;
  /**
   * Latency only: the client's own timing noise (event-loop delay of either run), ms. A smaller absolute
   * change is not called, since the client could have caused it.
   */
  noise_floor_ms?: number;
  verdict: Verdict;
  /** Why n/a, or why a significant change was not called. */
  note?: string;
  /** Samples behind each point value (requests, ITL gaps, or time buckets). */
  samples: { base: number; candidate: number };
}

export interface FairnessWarning {
  /** What differs, e.g. "model", "workload.inputTokens", "fidelity". */
  field: string;
  base: unknown;
  candidate: unknown;
  message: string;
}

export interface CompareReport {
  base: { label: string; id: string; source: string; status: string };
  candidate: { label: string; id: string; source: string; status: string };
  confidence: number;
  resamples: number;
  seed: number;
  metrics: MetricComparison[];
  /** Keys of metrics whose verdict is regressed / improved. */
  regressed: string[];
  improved: string[];
  warnings: FairnessWarning[];
  /** How the intervals and verdicts were computed, in sentences. */
  method: string[];
  /** Facts that qualify the figures (subsampling, missing records). */
  notes: string[];
  /** Whether the two runs gave the same answers to the same prompts; absent without kept outputs. */
  consistency?: Consistency;
}

export interface CompareOptions {
  /** Confidence level of the intervals, default 0.95. */
  confidence?: number;
  /** Bootstrap resamples, default 1000. */
  resamples?: number;
  /** Seed of the resampling, default 1. */
  seed?: number;
  /** Practical threshold in % for every metric without its own, default 5. */
  minChangePct?: number;
  /** Per-selector thresholds in %, e.g. { ttft: 10, e2e_p99: 8 }; the most specific selector wins. */
  thresholdPct?: Record<string, number>;
  /** Requests per run the latency bootstrap resamples at most (a random subset beyond), default 20,000. */
  maxBootstrapRequests?: number;
  /** ITL gaps per run the cluster bootstrap resamples at most (whole requests are kept), default 50,000. */
  maxBootstrapGaps?: number;
}
