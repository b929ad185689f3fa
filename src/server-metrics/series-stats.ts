import { quantileSorted } from '../stats/percentiles.js';
import type { Point } from './promql.js';

export interface GaugeStats {
  min: number;
  /** Time-weighted: each value holds until the next scrape. */
  mean: number;
  max: number;
  last: number;
  /** Scrapes the figures rest on: a mean of two or three, taken before and after the load, says little. */
  samples: number;
}

/** Fewer samples than this and a gauge's mean is not shown as a figure (they are mostly idle edges of the run). */
export const GAUGE_MIN_SAMPLES = 5;

/**
 * min / time-weighted mean / max / last of a gauge series (sample-and-hold between points). With one point,
 * or all points at one instant, the mean is the plain mean. Undefined for an empty series.
 */
export function gaugeStats(points: readonly Point[]): GaugeStats | undefined {
  const pts = points.filter(([, v]) => !Number.isNaN(v));
  if (pts.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let plain = 0;
  for (const [, v] of pts) {
    if (v < min) min = v;
    if (v > max) max = v;
    plain += v;
  }
  const span = pts[pts.length - 1]![0] - pts[0]![0];
  let mean = plain / pts.length;
  if (span > 0) {
    let area = 0;
    for (let i = 0; i + 1 < pts.length; i++) area += pts[i]![1] * (pts[i + 1]![0] - pts[i]![0]);
    mean = area / span;
  }
  return { min, mean, max, last: pts[pts.length - 1]![1], samples: pts.length };
}

/**
 * Combines step series from several sources (e.g. two server URLs) onto the union of their timestamps,
 * each source holding its last value; a source counts only once it has started.
 */
export function mergeStepSeries(series: readonly (readonly Point[])[], how: 'sum' | 'mean'): Point[] {
  const nonEmpty = series.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return [...nonEmpty[0]!];
  const times = [...new Set(nonEmpty.flatMap((s) => s.map(([t]) => t)))].sort((a, b) => a - b);
  const idx = nonEmpty.map(() => -1);
  const out: Point[] = [];
  for (const t of times) {
    let sum = 0;
    let n = 0;
    nonEmpty.forEach((s, k) => {
      while (idx[k]! + 1 < s.length && s[idx[k]! + 1]![0] <= t) idx[k]!++;
      if (idx[k]! >= 0) {
        sum += s[idx[k]!]![1];
        n++;
      }
    });
    if (n > 0) out.push([t, how === 'sum' ? sum : sum / n]);
  }
  return out;
}

/** Linearly interpolated percentile (0-100) of unsorted values; undefined when empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  return quantileSorted(Float64Array.from(values).sort(), p / 100);
}
