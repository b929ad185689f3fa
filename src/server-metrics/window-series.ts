/** Per-source series of one concept over the scrapes of a window: the building blocks of the window summary. */
import { GAUGE_AGGREGATION, type ConceptSnapshot, type ConceptValues, type GaugeConcept } from './engines/concepts.js';
import { counterIncrease, type IncreaseOptions, type Point } from './promql.js';
import { mergeStepSeries } from './series-stats.js';

/** The scrapes of one URL inside the window, mapped onto concepts. */
export interface Source {
  times: number[];
  snaps: ConceptSnapshot[];
}
/** Which part of a snapshot to read: the total, or one model's values. */
export type View = (s: ConceptSnapshot) => ConceptValues | undefined;
export type CounterRead = (v: ConceptValues) => Record<string, number> | undefined;

/** Per series key, its points in one source; a series that appears after the first scrape starts at 0. */
export function seriesPoints<T>(src: Source, read: (snap: ConceptSnapshot) => Record<string, T> | undefined, zero: (v: T) => T) {
  const out = new Map<string, [number, T][]>();
  src.snaps.forEach((snap, i) => {
    const values = read(snap);
    if (!values) return;
    const t = src.times[i]!;
    for (const [key, v] of Object.entries(values)) {
      let pts = out.get(key);
      if (!pts) {
        out.set(key, (pts = []));
        // Servers create series lazily (first request, first finish reason): absent before means zero.
        if (i > 0) pts.push([src.times[0]!, zero(v)]);
      }
      pts.push([t, v]);
    }
  });
  return out;
}

/**
 * Increase of a counter concept over the window, summed over series and sources; null when no source has it.
 * A counter the server declares in two or more scrapes without ever creating a series counts 0.
 */
export function counterWindow(sources: Source[], read: CounterRead, view: View, opts: IncreaseOptions): number | null {
  let total: number | null = null;
  let declared = false;
  for (const src of sources) {
    const values = (s: ConceptSnapshot) => {
      const v = view(s);
      return v && read(v);
    };
    if (src.snaps.filter((s) => values(s) !== undefined).length >= 2) declared = true;
    for (const pts of seriesPoints(src, values, () => 0).values()) {
      const inc = counterIncrease(pts, opts);
      if (inc !== undefined) total = (total ?? 0) + inc;
    }
  }
  return total ?? (declared ? 0 : null);
}

/** A gauge concept as one step series over all sources (summed or averaged per GAUGE_AGGREGATION). */
export function gaugeSeries(sources: Source[], concept: GaugeConcept, view: View): Point[] {
  const perSource = sources.map((src) => {
    const pts: Point[] = [];
    src.snaps.forEach((snap, i) => {
      const v = view(snap)?.gauges[concept];
      if (v !== undefined) pts.push([src.times[i]!, v]);
    });
    return pts;
  });
  return mergeStepSeries(perSource, GAUGE_AGGREGATION[concept]);
}

/** Per-second rate between consecutive scrapes of counter concepts (added up), merged over sources. */
export function rateSeries(sources: Source[], reads: CounterRead[], view: View): Point[] {
  const perSource = sources.map((src) => {
    const pts: Point[] = [];
    const totals = src.snaps.map((s) => {
      const v = view(s);
      if (!v) return undefined;
      let sum: number | undefined;
      for (const read of reads) {
        const r = read(v);
        if (r) sum = (sum ?? 0) + Object.values(r).reduce((a, b) => a + b, 0);
      }
      return sum;
    });
    for (let i = 1; i < totals.length; i++) {
      const a = totals[i - 1];
      const b = totals[i];
      const dt = (src.times[i]! - src.times[i - 1]!) / 1000;
      if (a === undefined || b === undefined || dt <= 0) continue;
      pts.push([src.times[i]!, (b >= a ? b - a : b) / dt]);
    }
    return pts;
  });
  return mergeStepSeries(perSource, 'sum');
}
