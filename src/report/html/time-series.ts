/** Throughput and concurrency over time, bucketed from the raw records (x in seconds from the window start). */
import type { RequestRecord } from '../../measure/record.js';
import { chunkTokenWeights } from '../../stats/throughput.js';
import { round } from './distribution-chart.js';

/** At most this many points per time series. */
export const MAX_TIME_POINTS = 5000;

export interface ThroughputData {
  /** Bucket start, s from the window start. */
  x: number[];
  /** Output tokens/s in the bucket. */
  y: number[];
  /** Bucket width, s (1 unless the run is longer than MAX_TIME_POINTS seconds). */
  bucket_s: number;
}

export interface ConcurrencyData {
  x: number[];
  /** Time-weighted mean of requests in flight in the bucket. */
  mean: number[];
  /** Most requests in flight at once in the bucket. */
  max: number[];
  bucket_s: number;
}

/**
 * Output tokens/s of succeeded requests by chunk arrival, 1 s buckets from originMs (the rule of
 * peak_output_tokens_per_s, so the chart's highest bar is that figure). Null with no chunks.
 */
export function throughputSeries(records: readonly RequestRecord[], originMs: number): ThroughputData | null {
  let last = -Infinity;
  for (const r of records) if (r.ok && r.chunks.length > 0) last = Math.max(last, r.chunks[r.chunks.length - 1]!.t);
  if (!Number.isFinite(last) || last < originMs) return null;
  const seconds = Math.floor((last - originMs) / 1000) + 1;
  const bucketS = Math.ceil(seconds / MAX_TIME_POINTS);
  const tokens = new Float64Array(Math.ceil(seconds / bucketS));
  for (const r of records) {
    if (!r.ok) continue;
    const weights = chunkTokenWeights(r);
    for (let i = 0; i < r.chunks.length; i++) {
      const t = r.chunks[i]!.t;
      if (t < originMs) continue;
      const b = Math.floor((t - originMs) / 1000 / bucketS);
      tokens[b] = tokens[b]! + weights[i]!;
    }
  }
  return {
    x: Array.from(tokens, (_, i) => i * bucketS),
    y: Array.from(tokens, (v) => round(v / bucketS)),
    bucket_s: bucketS,
  };
}

/**
 * Requests in flight (t_send to t_end) per bucket: time-weighted mean and max. Buckets are 1 s, or wider so
 * that a long run stays within 2,000 points, or 0.1 s for runs under 20 s. Null with no requests.
 */
export function concurrencySeries(records: readonly RequestRecord[], originMs: number): ConcurrencyData | null {
  const starts: number[] = [];
  const ends: number[] = [];
  for (const r of records) {
    const s = Math.max(r.t_send, originMs);
    if (r.t_end <= s) continue;
    starts.push(s);
    ends.push(r.t_end);
  }
  if (starts.length === 0) return null;
  const s = Float64Array.from(starts).sort();
  const e = Float64Array.from(ends).sort();
  const spanMs = e[e.length - 1]! - originMs;
  const bucketS = spanMs < 20_000 ? 0.1 : Math.max(1, Math.ceil(spanMs / 1000 / 2000));
  const w = bucketS * 1000;
  const count = Math.max(1, Math.ceil(spanMs / w));
  const x: number[] = [];
  const mean: number[] = [];
  const max: number[] = [];
  let si = 0;
  let ei = 0;
  let current = 0;
  for (let b = 0; b < count; b++) {
    const lo = originMs + b * w;
    const hi = lo + w;
    let prev = lo;
    let area = 0;
    let peak = current;
    // Ends before starts at one instant: back-to-back requests of one slot do not overlap.
    while (true) {
      const nextEnd = ei < e.length ? e[ei]! : Infinity;
      const nextStart = si < s.length ? s[si]! : Infinity;
      const t = Math.min(nextEnd, nextStart);
      if (t >= hi) break;
      area += current * (t - prev);
      prev = t;
      if (nextEnd <= nextStart) {
        current--;
        ei++;
      } else {
        current++;
        si++;
        peak = Math.max(peak, current);
      }
    }
    area += current * (hi - prev);
    x.push(round(b * bucketS));
    mean.push(round(area / w));
    max.push(peak);
  }
  return { x, mean, max, bucket_s: bucketS };
}
