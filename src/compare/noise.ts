/**
 * What within-run resampling cannot see by itself: the client's own timing noise (event-loop delay) and the
 * dependence between requests in flight together. Both make `compare` more conservative.
 */
import { outputTokens } from '../stats/request-metrics.js';
import { concurrency } from '../stats/throughput.js';
import type { RunSamples } from './run-samples.js';
import type { LoadedRun } from './types.js';

/**
 * How late the client may have taken a timestamp, from the runs' event-loop delay (fidelity), the larger of
 * the two runs: `mean` bounds the average delay from above (p50 for half the samples, p99 for the next 49%,
 * max for the last 1%), `p99` is the delay's p99. Undefined when neither run reports it.
 */
export function clientLag(base: LoadedRun, candidate: LoadedRun): { mean: number; p99: number } | undefined {
  const lags = [base, candidate]
    .map((r) => r.results.summary.fidelity?.event_loop_lag_ms)
    .filter((l): l is { p50: number; p99: number; max: number } => !!l && [l.p50, l.p99, l.max].every(Number.isFinite));
  if (lags.length === 0) return undefined;
  return {
    mean: Math.max(...lags.map((l) => 0.5 * l.p50 + 0.49 * l.p99 + 0.01 * l.max)),
    p99: Math.max(...lags.map((l) => l.p99)),
  };
}

/** Median decode steps (N - n1, at least 1) of a run's succeeded requests; Infinity when unknown. */
export function medianDecodeSteps(samples: RunSamples | null): number {
  return medianPerRequest(samples, (r) => outputTokens(r).count - (r.chunks[0]?.tokens ?? 1));
}

/** Median number of inter-chunk gaps per succeeded request (at least 1): the ITL mean spreads two timestamps over them. */
export function medianGaps(samples: RunSamples | null): number {
  return medianPerRequest(samples, (r) => r.chunks.length - 1);
}

function medianPerRequest(samples: RunSamples | null, count: (r: RunSamples['succeeded'][number]) => number): number {
  if (!samples) return Infinity;
  const xs = samples.succeeded.map((r) => Math.max(1, count(r))).sort((a, b) => a - b);
  return xs.length > 0 ? xs[Math.floor(xs.length / 2)]! : Infinity;
}

/**
 * Block length for the latency bootstrap: requests in flight together share server and client state, so
 * blocks span about the mean concurrency (at least n^(1/3)), and at most a fifth of the run.
 */
export function latencyBlockLength(samples: RunSamples): number {
  const n = samples.succeeded.length;
  const inFlight = concurrency(samples.measured, samples.window).mean ?? 1;
  return Math.max(1, Math.min(Math.floor(n / 5), Math.max(Math.round(Math.cbrt(n)), Math.round(inFlight))));
}

/** Block length for the throughput bootstrap over time buckets: about n^(1/3) buckets. */
export function bucketBlockLength(n: number): number {
  return Math.max(1, Math.round(Math.cbrt(n)));
}
