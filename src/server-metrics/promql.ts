/**
 * PromQL-equivalent window functions over raw scrape points, so results can be compared with a real
 * Prometheus: `increase()` (optionally with its boundary extrapolation) and `histogram_quantile()`.
 * Points are [t_ms, value] sorted by time.
 */

export type Point = readonly [t_ms: number, value: number];

export interface IncreaseOptions {
  start_ms?: number;
  end_ms?: number;
  /**
   * Extrapolate to the window boundaries exactly as Prometheus's increase() does (window (start, end],
   * left-open as in Prometheus 3). Off by default: the plain increase between the first and last point
   * inside [start, end] is what a benchmark over a known interval wants.
   */
  extrapolate?: boolean;
}

/**
 * Increase of a counter over a window, treating any decrease as a reset (the post-reset value counts as
 * growth, as Prometheus does). Undefined when fewer than two points fall in the window.
 *
 * @example counterIncrease([[0, 5], [1000, 9], [2000, 3]]) // 4 + 3 = 7
 */
export function counterIncrease(points: readonly Point[], options: IncreaseOptions = {}): number | undefined {
  const start = options.start_ms ?? -Infinity;
  const end = options.end_ms ?? Infinity;
  const inside = points.filter(([t]) => (options.extrapolate ? t > start : t >= start) && t <= end);
  if (inside.length < 2) return undefined;
  let result = 0;
  let prev = inside[0]![1];
  for (let i = 1; i < inside.length; i++) {
    const v = inside[i]![1];
    result += v >= prev ? v - prev : v;
    prev = v;
  }
  if (!options.extrapolate) return result;
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new RangeError('extrapolate needs finite start_ms and end_ms');
  }
  return result * extrapolationFactor(inside, result, start, end);
}

/** promql/functions.go extrapolatedRate, for a counter and increase() (not rate()). */
function extrapolationFactor(inside: readonly Point[], result: number, start: number, end: number): number {
  const first = inside[0]!;
  const last = inside[inside.length - 1]!;
  let durationToStart = (first[0] - start) / 1000;
  let durationToEnd = (end - last[0]) / 1000;
  const sampledInterval = (last[0] - first[0]) / 1000;
  if (sampledInterval <= 0) return 1;
  const averageDurationBetweenSamples = sampledInterval / (inside.length - 1);
  const threshold = averageDurationBetweenSamples * 1.1;
  if (durationToStart >= threshold) durationToStart = averageDurationBetweenSamples / 2;
  // A counter cannot go below zero: do not extrapolate further back than its zero point.
  let durationToZero = durationToStart;
  if (result > 0 && first[1] >= 0) durationToZero = sampledInterval * (first[1] / result);
  if (durationToZero < durationToStart) durationToStart = durationToZero;
  if (durationToEnd >= threshold) durationToEnd = averageDurationBetweenSamples / 2;
  return (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
}

export interface Bucket {
  /** Upper bound; the last bucket must be +Infinity. */
  le: number;
  /** Cumulative count. */
  count: number;
}

const SMALL_DELTA_TOLERANCE = 1e-12;

function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a === b) return true;
  const minNormal = 2.2250738585072014e-308;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Sorts, merges equal bounds and forces counts monotonic, as Prometheus does before interpolating. */
function normalizeBuckets(buckets: readonly Bucket[]): Bucket[] {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const bs: Bucket[] = [];
  for (const b of sorted) {
    const last = bs[bs.length - 1];
    if (last && last.le === b.le) last.count += b.count;
    else bs.push({ le: b.le, count: b.count });
  }
  let prev = bs[0]?.count ?? 0;
  for (let i = 1; i < bs.length; i++) {
    const curr = bs[i]!.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE) || curr < prev) {
      bs[i]!.count = prev;
      continue;
    }
    prev = curr;
  }
  return bs;
}

/**
 * Where a quantile falls among the buckets and the value PromQL interpolates there. `lower` and `upper` bound
 * the bucket holding the quantile's rank (`lower` 0 for the first bucket, whose lower edge PromQL assumes;
 * `upper` Infinity for the +Inf bucket, where PromQL answers the highest finite bound).
 */
export interface QuantileLocation {
  value: number;
  lower: number;
  upper: number;
  /** `first`: the lowest bucket; `overflow`: the +Inf bucket; `inner`: any other. */
  bucket: 'first' | 'inner' | 'overflow';
}

/**
 * histogramQuantile with the bucket it came from; null where histogramQuantile is NaN or +-Inf (no +Inf bucket,
 * fewer than two buckets, no observations, q outside [0, 1]).
 *
 * @example locateQuantile(0.5, [{ le: 0.3, count: 10 }, { le: Infinity, count: 10 }]) // { value: 0.15, lower: 0, upper: 0.3, bucket: 'first' }
 */
export function locateQuantile(q: number, buckets: readonly Bucket[]): QuantileLocation | null {
  if (!(q >= 0 && q <= 1)) return null;
  if (buckets.length === 0) return null;
  const bs = normalizeBuckets(buckets);
  if (bs[bs.length - 1]!.le !== Infinity || bs.length < 2) return null;
  const observations = bs[bs.length - 1]!.count;
  if (observations === 0 || Number.isNaN(observations)) return null;
  let rank = q * observations;
  // sort.Search over all but the +Inf bucket: first index whose count >= rank.
  let b = 0;
  while (b < bs.length - 1 && !(bs[b]!.count >= rank)) b++;
  if (b === bs.length - 1) return { value: bs[bs.length - 2]!.le, lower: bs[bs.length - 2]!.le, upper: Infinity, bucket: 'overflow' };
  if (b === 0 && bs[0]!.le <= 0) return { value: bs[0]!.le, lower: -Infinity, upper: bs[0]!.le, bucket: 'first' };
  let bucketStart = 0;
  const bucketEnd = bs[b]!.le;
  let count = bs[b]!.count;
  if (b > 0) {
    bucketStart = bs[b - 1]!.le;
    count -= bs[b - 1]!.count;
    rank -= bs[b - 1]!.count;
  }
  const value = bucketStart + (bucketEnd - bucketStart) * (rank / count);
  return { value, lower: bucketStart, upper: bucketEnd, bucket: b === 0 ? 'first' : 'inner' };
}

/**
 * Quantile from cumulative buckets exactly as PromQL histogram_quantile (promql/quantile.go BucketQuantile):
 * q<0 -> -Inf, q>1 -> +Inf; NaN without a +Inf bucket, with fewer than two buckets or no observations;
 * linear interpolation inside the bucket, the first bucket starting at 0 (or returning its upper bound when
 * that is <= 0); a rank in the +Inf bucket returns the highest finite upper bound. Equal bounds are merged
 * and counts forced monotonic, as Prometheus does.
 *
 * @example histogramQuantile(0.5, [{ le: 1, count: 2 }, { le: 2, count: 4 }, { le: Infinity, count: 4 }]) // 1
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  return locateQuantile(q, buckets)?.value ?? NaN;
}
