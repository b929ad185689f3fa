/**
 * A mergeable latency distribution for runs too long to keep every sample: an HDR histogram (hdr-histogram-js) of
 * the samples at 1 µs resolution and 3 significant digits, beside exact count, mean, variance (Chan et al.'s
 * parallel form, so merges stay exact), min and max. Shards and workers merge by adding histograms.
 */
import * as hdr from 'hdr-histogram-js';
import { emptyDistribution, type Distribution } from './percentiles.js';

/** Significant decimal digits the histogram keeps: each percentile is within 10^-3 of the sample at its rank. */
export const HDR_SIGNIFICANT_DIGITS = 3;
/** Largest relative error of a percentile read from the histogram (above the 1 µs resolution). */
export const HDR_RELATIVE_ERROR = 10 ** -HDR_SIGNIFICANT_DIGITS;

export const HDR_PERCENTILE_METHOD =
  'HDR histogram of all samples (hdr-histogram-js, 1 µs resolution, 3 significant digits): each percentile is the ' +
  'sample at that rank (nearest rank) within 0.1% plus 1 µs; count, mean, std (ddof=0), min and max are exact';

/** JSON form: exact moments and the histogram in HdrHistogram's compressed base64 encoding. */
export interface SerializedHistogram {
  count: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
  hdr: string | null;
}

const US_PER_MS = 1000;

function newHistogram(): hdr.Histogram {
  // 64-bit counts: one bucket of a long run's inter-token latencies can pass 2^31 samples.
  return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: HDR_SIGNIFICANT_DIGITS, autoResize: true });
}

export class HdrDistribution {
  private histogram: hdr.Histogram | null = null;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private lo = Infinity;
  private hi = -Infinity;

  get count(): number {
    return this.n;
  }

  /** Adds one sample in ms; non-finite samples are ignored (as describe() does). */
  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.n++;
    const d = ms - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (ms - this.mean);
    if (ms < this.lo) this.lo = ms;
    if (ms > this.hi) this.hi = ms;
    (this.histogram ??= newHistogram()).recordValue(Math.max(0, Math.round(ms * US_PER_MS)));
  }

  /** Adds every sample of `other` (exactly: moments by Chan et al.'s update, histograms count by count). */
  merge(other: HdrDistribution): void {
    if (other.n === 0) return;
    const n = this.n + other.n;
    const d = other.mean - this.mean;
    this.m2 += other.m2 + (d * d * this.n * other.n) / n;
    this.mean += (d * other.n) / n;
    this.n = n;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    (this.histogram ??= newHistogram()).add(other.histogram!);
  }

  /** The distribution in the summary's shape; percentiles clamped to the exact min and max. */
  describe(): Distribution {
    if (this.n === 0 || !this.histogram) return emptyDistribution();
    const h = this.histogram;
    const at = (q: number): number => Math.min(this.hi, Math.max(this.lo, h.getValueAtPercentile(q) / US_PER_MS));
    return {
      count: this.n,
      mean: this.mean,
      std: Math.sqrt(Math.max(0, this.m2) / this.n),
      min: this.lo,
      max: this.hi,
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
    };
  }

  toJSON(): SerializedHistogram {
    return {
      count: this.n,
      mean: this.mean,
      m2: this.m2,
      min: this.n > 0 ? this.lo : null,
      max: this.n > 0 ? this.hi : null,
      hdr: this.histogram && this.n > 0 ? hdr.encodeIntoCompressedBase64(this.histogram) : null,
    };
  }

  static fromJSON(s: SerializedHistogram): HdrDistribution {
    const out = new HdrDistribution();
    if (!(s.count > 0) || s.hdr === null) return out;
    out.n = s.count;
    out.mean = s.mean;
    out.m2 = s.m2;
    out.lo = s.min ?? Infinity;
    out.hi = s.max ?? -Infinity;
    const decoded = hdr.decodeFromCompressedBase64(s.hdr, 64);
    out.histogram = newHistogram();
    out.histogram.add(decoded);
    return out;
  }
}
