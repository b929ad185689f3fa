/**
 * Bootstrap resampling, pure and seeded. A resample of a run draws its units (requests) with replacement; it
 * is kept as a count per unit, and every statistic is computed as a weighted statistic over the sorted
 * samples, so no resample is ever sorted (O(n) per resample and statistic). A unit may own several samples
 * (a request's ITL gaps): they then move together, which is the cluster bootstrap.
 */
import type { Rng } from '../util/rng.js';

/** Samples sorted ascending, each with the index of the unit (request) that owns it, plus per-unit sums. */
export interface WeightedSample {
  values: Float64Array;
  owners: Int32Array;
  /** Per unit: how many samples it owns and their sum (so totals and means cost O(units), not O(samples)). */
  unitCounts: Int32Array;
  unitSums: Float64Array;
}

/**
 * Builds a sorted sample from per-unit values: a number (one sample), an array (several, e.g. ITL gaps)
 * or null (none). Non-finite values are dropped.
 *
 * @example buildSample([3, null, [1, 2]]) // values [1, 2, 3], owners [2, 2, 0]
 */
export function buildSample(perUnit: ReadonlyArray<number | null | readonly number[]>): WeightedSample {
  const vals: number[] = [];
  const owns: number[] = [];
  const unitCounts = new Int32Array(perUnit.length);
  const unitSums = new Float64Array(perUnit.length);
  const add = (x: number, unit: number): void => {
    if (!Number.isFinite(x)) return;
    vals.push(x);
    owns.push(unit);
    unitCounts[unit]! += 1;
    unitSums[unit]! += x;
  };
  perUnit.forEach((v, unit) => {
    if (v === null) return;
    if (typeof v === 'number') add(v, unit);
    else for (const x of v) add(x, unit);
  });
  const order = Uint32Array.from(vals.keys()).sort((a, b) => (vals[a] as number) - (vals[b] as number));
  const values = new Float64Array(order.length);
  const owners = new Int32Array(order.length);
  order.forEach((i, k) => {
    values[k] = vals[i] as number;
    owners[k] = owns[i] as number;
  });
  return { values, owners, unitCounts, unitSums };
}

/**
 * Mean and quantiles of a sample where each value counts `weights[owner]` times (all 1 when weights is null).
 * Quantiles are numpy 'linear' (type 7) over the expanded sample, so unit weights give exactly what
 * `describe` reports. Writes [mean, q_0, q_1, ...] into `out`; NaN when the total weight is 0.
 * Totals come from per-unit sums; ranks in the lower half are found walking up, the others walking down,
 * so p90 and p99 touch only the top of the sample.
 */
export function weightedMeanQuantiles(
  sample: WeightedSample,
  weights: Int32Array | null,
  qs: readonly number[],
  out: Float64Array,
): void {
  const { values, owners, unitCounts, unitSums } = sample;
  const n = values.length;
  let total = 0;
  let sum = 0;
  if (weights) {
    for (let u = 0; u < unitCounts.length; u++) {
      const w = weights[u] as number;
      if (w === 0) continue;
      total += w * (unitCounts[u] as number);
      sum += w * (unitSums[u] as number);
    }
  } else {
    total = n;
    for (let u = 0; u < unitSums.length; u++) sum += unitSums[u] as number;
  }
  if (total === 0) {
    out.fill(Number.NaN, 0, qs.length + 1);
    return;
  }
  out[0] = sum / total;
  const ranks: number[] = [];
  for (const q of qs) {
    const lo = Math.floor((total - 1) * q);
    ranks.push(lo, Math.min(lo + 1, total - 1));
  }
  const found = valuesAtRanks(values, owners, weights, total, ranks);
  for (let k = 0; k < qs.length; k++) {
    const h = (total - 1) * (qs[k] as number);
    const a = found[2 * k] as number;
    const b = found[2 * k + 1] as number;
    out[k + 1] = a + (h - Math.floor(h)) * (b - a);
  }
}

/** The expanded sample's value at each (ascending) rank: lower-half ranks walking up, the rest walking down. */
function valuesAtRanks(values: Float64Array, owners: Int32Array, weights: Int32Array | null, total: number, ranks: number[]): Float64Array {
  const n = values.length;
  const found = new Float64Array(ranks.length);
  let lowerCount = 0;
  while (lowerCount < ranks.length && (ranks[lowerCount] as number) < total / 2) lowerCount++;
  let next = 0;
  let cum = 0;
  for (let i = 0; i < n && next < lowerCount; i++) {
    const w = weights === null ? 1 : (weights[owners[i] as number] as number);
    if (w === 0) continue;
    cum += w;
    while (next < lowerCount && (ranks[next] as number) < cum) found[next++] = values[i] as number;
  }
  // Rank r is (total - 1 - r) places from the top.
  let k = ranks.length - 1;
  cum = 0;
  for (let i = n - 1; i >= 0 && k >= lowerCount; i--) {
    const w = weights === null ? 1 : (weights[owners[i] as number] as number);
    if (w === 0) continue;
    cum += w;
    while (k >= lowerCount && total - 1 - (ranks[k] as number) < cum) found[k--] = values[i] as number;
  }
  return found;
}

/**
 * One resample of `counts.length` units: how often each unit was drawn. With blockLength 1 units are drawn
 * independently (multinomial); with L > 1, circular blocks of L consecutive units (units in time order) are
 * drawn until n units are taken, which keeps the dependence between neighbours (requests in flight together).
 */
export function drawCounts(rng: Rng, counts: Int32Array, blockLength = 1): void {
  const n = counts.length;
  counts.fill(0);
  if (blockLength <= 1) {
    for (let k = 0; k < n; k++) counts[Math.floor(rng.next() * n)]! += 1;
    return;
  }
  let taken = 0;
  while (taken < n) {
    let i = Math.floor(rng.next() * n);
    for (let j = 0; j < blockLength && taken < n; j++, taken++) {
      counts[i]! += 1;
      if (++i === n) i = 0;
    }
  }
}

/**
 * Bootstraps mean and quantiles of several samples that share the same `units`: each resample draws the
 * units once and evaluates every sample under those counts. Returns, per sample, one Float64Array of
 * `resamples` values per statistic ([mean, ...qs]).
 */
export function bootstrapMeanQuantiles(
  units: number,
  samples: readonly WeightedSample[],
  qs: readonly number[],
  resamples: number,
  rng: Rng,
  blockLength = 1,
): Float64Array[][] {
  const stats = qs.length + 1;
  const result = samples.map(() => Array.from({ length: stats }, () => new Float64Array(resamples)));
  const counts = new Int32Array(units);
  const out = new Float64Array(stats);
  for (let b = 0; b < resamples; b++) {
    drawCounts(rng, counts, blockLength);
    samples.forEach((sample, s) => {
      weightedMeanQuantiles(sample, counts, qs, out);
      for (let k = 0; k < stats; k++) result[s]![k]![b] = out[k] as number;
    });
  }
  return result;
}

/**
 * Circular block bootstrap of a series' sum (e.g. completions per 1 s bucket): blocks of `blockLength`
 * consecutive buckets, wrapping at the end, until the resample has as many buckets as the series.
 * Blocks keep short-range dependence between neighbouring buckets.
 */
export function blockBootstrapSums(series: Float64Array, blockLength: number, resamples: number, rng: Rng): Float64Array {
  const n = series.length;
  const out = new Float64Array(resamples);
  if (n === 0) return out.fill(Number.NaN);
  const len = Math.max(1, Math.min(n, Math.floor(blockLength)));
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    let taken = 0;
    while (taken < n) {
      const start = Math.floor(rng.next() * n);
      for (let j = 0; j < len && taken < n; j++, taken++) sum += series[(start + j) % n] as number;
    }
    out[b] = sum;
  }
  return out;
}

/** candidate[b] / base[b] - 1 for each resample pair (the two runs' resamples are independent). */
export function relativeDifferences(base: Float64Array, candidate: Float64Array): Float64Array {
  const out = new Float64Array(Math.min(base.length, candidate.length));
  for (let b = 0; b < out.length; b++) out[b] = (candidate[b] as number) / (base[b] as number) - 1;
  return out;
}

export interface Interval {
  low: number;
  high: number;
  /** Share of resamples whose statistic was not finite (e.g. a resample without any TPOT sample). */
  undefinedShare: number;
}

/**
 * Percentile interval of bootstrap replicates at the given confidence (e.g. 0.95 -> the 2.5th and 97.5th
 * percentiles). Non-finite replicates are left out and reported; null when none is finite.
 */
export function percentileInterval(replicates: Float64Array, confidence: number): Interval | null {
  const finite = replicates.filter((v) => Number.isFinite(v)).sort();
  if (finite.length === 0) return null;
  const alpha = (1 - confidence) / 2;
  return {
    low: quantileOf(finite, alpha),
    high: quantileOf(finite, 1 - alpha),
    undefinedShare: 1 - finite.length / replicates.length,
  };
}

function quantileOf(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
