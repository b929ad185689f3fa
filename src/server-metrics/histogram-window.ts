/** A latency histogram over the window: count, mean, PromQL quantiles, and how far the buckets support them. */
import type { HistogramConcept, HistogramPoint } from './engines/concepts.js';
import { counterIncrease, locateQuantile, type Bucket, type IncreaseOptions, type Point } from './promql.js';
import type { LatencyStats, QuantileSupport } from './server-summary.js';
import { seriesPoints, type Source, type View } from './window-series.js';

/**
 * A quantile is resolved when its bucket's upper edge is at most this many times its lower edge: PromQL's
 * interpolated value is then within that factor of any value the bucket could hold. vLLM's default buckets
 * (TTFT 0.04-0.06-0.08 s, request phases 2.5-5-10 s, ITL 0.05-0.075-0.1 s) resolve; its first buckets
 * (TTFT < 1 ms, ITL < 10 ms, queue < 300 ms) and wide ones (TTFT 0.1-0.25 s) only bound.
 */
export const RESOLVED_BUCKET_RATIO = 2;

const ms = (s: number): number | null => (Number.isFinite(s) ? s * 1000 : null);

/** Whether the buckets resolve quantile q or only bound it. Null where PromQL gives no value. */
export function quantileSupport(q: number, buckets: readonly Bucket[]): QuantileSupport | null {
  const at = locateQuantile(q, buckets);
  if (!at || Number.isNaN(at.value)) return null;
  // A first bucket ending at or below 0 (SGLang's queue time starts with le="0.0") holds exactly that value.
  if (at.bucket === 'first' && at.upper <= 0) return { status: 'resolved', lower_ms: at.upper * 1000, upper_ms: at.upper * 1000, bucket: 'first' };
  const upper = Number.isFinite(at.upper) ? at.upper * 1000 : null;
  const lower = Number.isFinite(at.lower) ? at.lower * 1000 : 0;
  const resolved = at.bucket === 'inner' && at.lower > 0 && at.upper <= RESOLVED_BUCKET_RATIO * at.lower;
  return { status: resolved ? 'resolved' : 'bounded', lower_ms: lower, upper_ms: upper, bucket: at.bucket };
}

/** Quantile stats of a histogram concept over the window, summed over series and sources; null when absent. */
export function histogramWindow(sources: Source[], concept: HistogramConcept, view: View, opts: IncreaseOptions): LatencyStats | null {
  let count = 0;
  let sum = 0;
  let seen = false;
  const buckets = new Map<number, number>();
  const lastPoints: HistogramPoint[] = [];
  const zero = (p: HistogramPoint): HistogramPoint => ({ buckets: p.buckets && p.buckets.map((b) => ({ le: b.le, count: 0 })), sum: 0, count: 0 });
  for (const src of sources) {
    const series = seriesPoints(src, (s) => view(s)?.histograms[concept], zero);
    for (const pts of series.values()) {
      const countInc = counterIncrease(pts.map(([t, p]) => [t, p.count] as const), opts);
      if (countInc === undefined) continue;
      seen = true;
      count += countInc;
      sum += counterIncrease(pts.map(([t, p]) => [t, p.sum] as const), opts) ?? NaN;
      lastPoints.push(pts[pts.length - 1]![1]);
      const les = new Set(pts.flatMap(([, p]) => (p.buckets ?? []).map((b) => b.le)));
      for (const le of les) {
        const bpts: Point[] = [];
        for (const [t, p] of pts) {
          const b = p.buckets?.find((x) => x.le === le);
          if (b) bpts.push([t, b.count]);
        }
        const inc = counterIncrease(bpts, opts);
        if (inc !== undefined) buckets.set(le, (buckets.get(le) ?? 0) + inc);
      }
    }
  }
  if (!seen) return null;
  const stats: LatencyStats = {
    count,
    mean: count > 0 ? ms(sum / count) : null,
    p50: null,
    p90: null,
    p99: null,
    quantiles_from: 'none',
    quantile_support: null,
  };
  if (buckets.size > 0) {
    const bs = [...buckets].map(([le, c]) => ({ le, count: c }));
    const at = (q: number) => ms(locateQuantile(q, bs)?.value ?? NaN);
    stats.p50 = at(0.5);
    stats.p90 = at(0.9);
    stats.p99 = at(0.99);
    stats.quantiles_from = 'buckets';
    stats.quantile_support = { p50: quantileSupport(0.5, bs), p90: quantileSupport(0.9, bs), p99: quantileSupport(0.99, bs) };
  } else if (lastPoints.length === 1 && lastPoints[0]!.quantiles) {
    // Summary quantiles cover the server's own sliding window, not ours; reported, and labelled as such.
    const qs = lastPoints[0]!.quantiles;
    const at = (q: number) => {
      const hit = qs.find((x) => Math.abs(x.q - q) < 1e-9);
      return hit ? ms(hit.value) : null;
    };
    stats.p50 = at(0.5);
    stats.p90 = at(0.9);
    stats.p99 = at(0.99);
    stats.quantiles_from = 'server_summary';
  }
  return stats;
}
