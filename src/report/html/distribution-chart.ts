/** Histogram and CDF of one latency metric, binned exactly from every sample (the page never sees raw samples). */
import { quantileSorted } from '../../stats/percentiles.js';

export interface HistogramData {
  /** Left edge of each bin, ms. */
  x: number[];
  counts: number[];
  /** Bin width, ms. */
  width: number;
  /** Samples above the last bin (the far tail, left out so the body stays readable). */
  overflow: number;
}

export interface CdfData {
  /** Latency, ms, ascending. */
  x: number[];
  /** Fraction of samples <= x. */
  y: number[];
}

export interface DistributionData {
  count: number;
  hist: HistogramData;
  cdf: CdfData;
}

const MAX_BINS = 60;
/** Up to this many samples the CDF is drawn through every sample. */
const FULL_CDF_MAX = 2000;

/**
 * Histogram and CDF from samples (any order; non-finite ones ignored). Null with no samples.
 * Bins have a round width (1, 2 or 5 x 10^k) over [min, max]; when the tail stretches past 2x p99 (200 samples
 * or more), bins stop there and the samples beyond are counted in `overflow`.
 *
 * @example distributionData(Float64Array.of(10, 12, 15)).hist.counts
 */
export function distributionData(samples: Float64Array): DistributionData | null {
  const sorted = finiteSorted(samples);
  const n = sorted.length;
  if (n === 0) return null;
  return { count: n, hist: histogram(sorted), cdf: cdf(sorted) };
}

function finiteSorted(samples: Float64Array): Float64Array {
  let n = 0;
  const out = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

function histogram(sorted: Float64Array): HistogramData {
  const n = sorted.length;
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const p99 = quantileSorted(sorted, 0.99);
  // A sparse far tail (stalls, timeouts) would squash the body into one bin: cut at 2x p99, count the rest.
  const top = n >= 200 && max > 2 * p99 && p99 > min ? 2 * p99 : max;
  const bins = Math.min(MAX_BINS, Math.max(8, Math.ceil(Math.sqrt(n))));
  const width = niceWidth((top - min) / bins || Math.max(Math.abs(min) * 0.01, 0.001));
  const lo = Math.floor(min / width) * width;
  const count = Math.max(1, Math.floor((top - lo) / width) + 1);
  const counts = new Array<number>(count).fill(0);
  let overflow = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((sorted[i]! - lo) / width);
    if (b >= count) overflow++;
    else counts[Math.max(0, b)]!++;
  }
  const x = counts.map((_, i) => round(lo + i * width));
  return { x, counts, width: round(width), overflow };
}

/** The smallest of 1, 2, 5 x 10^k at or above raw. */
function niceWidth(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  for (const m of [1, 2, 5, 10]) if (m * base >= raw * (1 - 1e-9)) return m * base;
  return 10 * base;
}

/**
 * Every sample for small sets; otherwise the samples at a fixed grid of ranks, finer in the tail
 * (0.1% steps to p99, 0.01% to p99.9, then every rank's 0.001%), always including min and max.
 */
function cdf(sorted: Float64Array): CdfData {
  const n = sorted.length;
  const ranks: number[] = [];
  if (n <= FULL_CDF_MAX) {
    for (let i = 0; i < n; i++) ranks.push(i);
  } else {
    const qs: number[] = [];
    for (let i = 0; i < 990; i++) qs.push(i / 1000);
    for (let i = 0; i < 90; i++) qs.push(0.99 + i / 10000);
    for (let i = 0; i <= 100; i++) qs.push(0.999 + i / 100000);
    let last = -1;
    for (const q of qs) {
      const r = Math.round(q * (n - 1));
      if (r > last) ranks.push((last = r));
    }
  }
  const x: number[] = [];
  const y: number[] = [];
  for (const r of ranks) {
    // Equal values collapse onto their highest rank: a CDF is a function of x.
    const v = round(sorted[r]!);
    const f = (r + 1) / n;
    if (x.length > 0 && x[x.length - 1] === v) y[y.length - 1] = f;
    else {
      x.push(v);
      y.push(f);
    }
  }
  return { x, y: y.map((f) => Math.round(f * 1e6) / 1e6) };
}

/** Three decimals: microsecond resolution on ms values keeps the embedded JSON small. */
export function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
