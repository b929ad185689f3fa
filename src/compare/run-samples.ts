/**
 * One run's samples as `compare` uses them: the measured requests in the run's window, per-request latency
 * samples, bootstrap replicates of the latency statistics, and throughput time series.
 */
import type { RequestRecord } from '../measure/record.js';
import type { Slo } from '../config/slo.js';
import { isGood } from '../stats/goodput.js';
import { describe } from '../stats/percentiles.js';
import { e2eMs, itlMs, outputTokens, tpotMs, ttftMs } from '../stats/request-metrics.js';
import type { RunSummary } from '../stats/summary.js';
import { selectMeasured } from '../measure/measured.js';
import { chunkTokenWeights, type TimeWindow } from '../stats/throughput.js';
import type { Rng } from '../util/rng.js';
import { bootstrapMeanQuantiles, buildSample } from './bootstrap.js';
import { LATENCY_QUANTILES, type LatencyFamily } from './metrics.js';
import { selectQuantiles } from './select.js';

export interface RunSamples {
  /** Measured requests in the window (succeeded and failed; requests the client cut off are not counted). */
  measured: RequestRecord[];
  succeeded: RequestRecord[];
  window: TimeWindow;
  windowS: number;
}

/**
 * The requests a run's figures are computed from, as `summarize` chose them: no warm-up, and inside the
 * summary's window when that window was explicit.
 */
export function runSamples(records: readonly RequestRecord[], summary: Partial<RunSummary> | null): RunSamples {
  const sel = selectMeasured(records, summary?.window ?? null);
  return { measured: sel.counted, succeeded: sel.succeeded, window: sel.window, windowS: sel.windowS };
}

/** Per-request values of one latency family: one number (or null) per request, or the ITL gaps. */
export function familyValues(records: readonly RequestRecord[], family: LatencyFamily): Array<number | null | number[]> {
  switch (family) {
    case 'ttft':
      return records.map(ttftMs);
    case 'tpot':
      return records.map(tpotMs);
    case 'e2e':
      return records.map(e2eMs);
    case 'itl':
      return records.map(itlMs);
  }
}

/**
 * [mean, p50, p90, p99] from all samples (exactly as the run summary computes them), the sample count, and
 * the requests contributing (for ITL, requests with at least one gap).
 */
export function latencyPoint(
  records: readonly RequestRecord[],
  family: LatencyFamily,
): { stats: number[] | null; count: number; units: number } {
  if (family === 'itl') return itlPoint(records);
  const flat: number[] = [];
  for (const v of familyValues(records, family)) if (typeof v === 'number') flat.push(v);
  const d = describe(flat);
  if (d.count === 0) return { stats: null, count: 0, units: 0 };
  return { stats: [d.mean, d.p50, d.p90, d.p99] as number[], count: d.count, units: d.count };
}

/** ITL point values straight from the chunk times (millions of gaps in big runs: no per-request arrays, no sort). */
function itlPoint(records: readonly RequestRecord[]): { stats: number[] | null; count: number; units: number } {
  let count = 0;
  let units = 0;
  for (const r of records) {
    if (r.chunks.length > 1) {
      count += r.chunks.length - 1;
      units++;
    }
  }
  const gaps = new Float64Array(count);
  let k = 0;
  let sum = 0;
  for (const r of records) {
    for (let i = 1; i < r.chunks.length; i++) {
      const g = r.chunks[i]!.t - r.chunks[i - 1]!.t;
      gaps[k++] = g;
      sum += g;
    }
  }
  if (count === 0) return { stats: null, count: 0, units: 0 };
  return { stats: [sum / count, ...selectQuantiles(gaps, LATENCY_QUANTILES)], count, units };
}

export interface LatencyReplicates {
  /** Per family: [mean, p50, p90, p99] replicate arrays. */
  replicates: Record<LatencyFamily, Float64Array[]>;
  /** Requests resampled for TTFT/TPOT/E2E, and for ITL (whole requests, capped by gaps). */
  requestsUsed: number;
  itlRequestsUsed: number;
  itlGapsUsed: number;
}

/**
 * Bootstrap replicates of every latency statistic of one run. TTFT, TPOT and E2E share each resample of
 * requests; ITL is resampled by request (cluster bootstrap) on its own subset, sized so its gaps stay under
 * `maxGaps`. Runs larger than the caps are subsampled at random without replacement first.
 */
export function latencyReplicates(
  succeeded: readonly RequestRecord[],
  opts: { resamples: number; maxRequests: number; maxGaps: number; blockLength: number; rng: Rng },
): LatencyReplicates {
  const order = shuffledIndices(succeeded.length, opts.rng);
  const subset = byTSend(order.slice(0, Math.min(order.length, opts.maxRequests)).map((i) => succeeded[i]!));
  const perRequest = (['ttft', 'tpot', 'e2e'] as const).map((f) => buildSample(familyValues(subset, f)));
  const [ttft, tpot, e2e] = bootstrapMeanQuantiles(subset.length, perRequest, LATENCY_QUANTILES, opts.resamples, opts.rng, opts.blockLength);

  const itlSubset: RequestRecord[] = [];
  let gaps = 0;
  for (const i of order) {
    const r = succeeded[i]!;
    const g = Math.max(0, r.chunks.length - 1);
    if (itlSubset.length >= opts.maxRequests || (gaps + g > opts.maxGaps && itlSubset.length > 0)) break;
    itlSubset.push(r);
    gaps += g;
  }
  const itlSorted = byTSend(itlSubset);
  const [itl] = bootstrapMeanQuantiles(itlSorted.length, [buildSample(familyValues(itlSorted, 'itl'))], LATENCY_QUANTILES, opts.resamples, opts.rng, opts.blockLength);
  return {
    replicates: { ttft: ttft!, tpot: tpot!, e2e: e2e!, itl: itl! },
    requestsUsed: subset.length,
    itlRequestsUsed: itlSubset.length,
    itlGapsUsed: gaps,
  };
}

export interface ThroughputSeries {
  bucketMs: number;
  /** Succeeded requests completing (t_end) in each bucket. */
  requests: Float64Array;
  /** Output tokens arriving (chunk times, weighted as for peak tokens/s) in each bucket. */
  outputTokens: Float64Array;
}

/**
 * Time series of completions and output tokens over the window: 1 s buckets, or window / 20 for windows
 * shorter than 20 s so a short run still has enough buckets to resample. Null for an empty window.
 */
export function throughputSeries(succeeded: readonly RequestRecord[], window: TimeWindow): ThroughputSeries | null {
  const span = window.end - window.start;
  if (!(span > 0)) return null;
  const bucketMs = span >= 20_000 ? 1000 : span / 20;
  const n = Math.max(1, Math.ceil(span / bucketMs - 1e-9));
  const bucket = (t: number): number => Math.min(n - 1, Math.max(0, Math.floor((t - window.start) / bucketMs)));
  const requests = new Float64Array(n);
  const outputTokensSeries = new Float64Array(n);
  for (const r of succeeded) {
    requests[bucket(r.t_end)]! += 1;
    const weights = chunkTokenWeights(r);
    r.chunks.forEach((c, i) => {
      outputTokensSeries[bucket(c.t)]! += weights[i] as number;
    });
  }
  return { bucketMs, requests, outputTokens: outputTokensSeries };
}

/** Output tokens of succeeded requests (N per request, as the summary counts them). */
export function totalOutputTokens(succeeded: readonly RequestRecord[]): number {
  let total = 0;
  for (const r of succeeded) total += outputTokens(r).count;
  return total;
}

/** Requests meeting every SLO (failures never do). */
export function countGood(measured: readonly RequestRecord[], slo: Slo, tpotNaIsGood: boolean): number {
  let good = 0;
  for (const r of measured) if (isGood(r, slo, { tpotNaIsGood })) good++;
  return good;
}

function byTSend(records: RequestRecord[]): RequestRecord[] {
  return records.sort((a, b) => a.t_send - b.t_send);
}

/** Indices 0..n-1 in a seeded random order (Fisher-Yates). */
function shuffledIndices(n: number, rng: Rng): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
