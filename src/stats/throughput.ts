/**
 * Time-based aggregates over a measurement window: peak output tokens/s and time-weighted concurrency.
 * Times are ms on the run clock.
 */
import type { RequestRecord } from '../measure/record.js';
import type { TimeWindow } from '../measure/measured.js';
import { outputTokens } from './request-metrics.js';

export type { TimeWindow } from '../measure/measured.js';

/**
 * Tokens attributed to each chunk of a record: a chunk's own count when the server gave one; chunks of
 * unknown size share what is left of N (the record's output token count) equally, or count 1 each
 * when nothing is left to share. The sum equals N whenever N covers the known counts.
 */
export function chunkTokenWeights(r: RequestRecord): number[] {
  let known = 0;
  let unknown = 0;
  for (const c of r.chunks) {
    if (c.tokens !== null) known += c.tokens;
    else unknown++;
  }
  const remainder = outputTokens(r).count - known;
  const share = unknown > 0 && remainder > 0 ? remainder / unknown : 1;
  return r.chunks.map((c) => (c.tokens !== null ? c.tokens : share));
}

/**
 * Peak output tokens/s: chunk arrivals of the given records binned into 1 s buckets from window.start,
 * each chunk weighted by chunkTokenWeights; the largest bucket. Chunks outside the window are ignored.
 * Null when the window is shorter than one bucket: a 0.4 s run's tokens in its only bucket are not a rate
 * per second (they read below the mean rate).
 */
export function peakOutputTokensPerS(records: readonly RequestRecord[], window: TimeWindow): number | null {
  const span = window.end - window.start;
  if (!(span >= 1000)) return null;
  const buckets = new Float64Array(Math.ceil(span / 1000) + 1);
  for (const r of records) {
    const weights = chunkTokenWeights(r);
    r.chunks.forEach((c, i) => {
      if (c.t < window.start || c.t > window.end) return;
      const b = Math.floor((c.t - window.start) / 1000);
      buckets[b] = (buckets[b] as number) + (weights[i] as number);
    });
  }
  let peak = 0;
  for (const v of buckets) peak = Math.max(peak, v);
  return peak;
}

/**
 * Time-weighted concurrency: each record is in flight from t_send to t_end (clipped to the window).
 * mean = integral of in-flight count over the window / window length; max = the largest count at once.
 * Null values when the window is empty.
 */
export function concurrency(
  records: readonly RequestRecord[],
  window: TimeWindow,
): { mean: number | null; max: number | null } {
  const span = window.end - window.start;
  if (!(span > 0)) return { mean: null, max: null };
  const events: Array<[number, number]> = [];
  for (const r of records) {
    const start = Math.max(r.t_send, window.start);
    const end = Math.min(r.t_end, window.end);
    // A zero-length stay adds nothing to the integral and would only unbalance the sweep.
    if (end <= start) continue;
    events.push([start, +1], [end, -1]);
  }
  // Ends before starts at the same instant: back-to-back requests of one slot do not overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  let area = 0;
  let prev = window.start;
  for (const [t, delta] of events) {
    area += current * (t - prev);
    prev = t;
    current += delta;
    max = Math.max(max, current);
  }
  return { mean: area / span, max };
}
