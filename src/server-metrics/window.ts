import {
  COUNTER_CONCEPTS,
  GAUGE_AGGREGATION,
  type ConceptSnapshot,
  type ConceptValues,
  type DetectedEngine,
  type GaugeConcept,
  type HistogramConcept,
  type HistogramPoint,
} from './engines/concepts.js';
import { extractConcepts } from './engines/extract.js';
import type { MetricFamily } from './parse/types.js';
import { counterIncrease, histogramQuantile, type IncreaseOptions, type Point } from './promql.js';
import { gaugeStats, mergeStepSeries, percentile } from './series-stats.js';
import type { LatencyStats, ServerConceptSummary, ServerSummary } from './server-summary.js';

/** One scrape as the window needs it; a ScrapeRecord from the scraper fits. */
export interface ScrapeInput {
  /** Run-clock time the scrape represents (midpoint of request and response). */
  t_ms: number;
  /** Scrapes from different URLs are separate sources: counters add up, gauges combine per concept. */
  url?: string;
  ok?: boolean;
  families?: MetricFamily[];
  duration_ms?: number;
  parse_ms?: number;
}

export interface WindowOptions extends Pick<IncreaseOptions, 'extrapolate'> {
  /** Window bounds on the run clock; default: the first and last scrape. */
  start_ms?: number;
  end_ms?: number;
}

interface Source {
  times: number[];
  snaps: ConceptSnapshot[];
}
type View = (s: ConceptSnapshot) => ConceptValues | undefined;

/** Per series key, its points in one source; a series that appears after the first scrape starts at 0. */
function seriesPoints<T>(src: Source, read: (snap: ConceptSnapshot) => Record<string, T> | undefined, zero: (v: T) => T) {
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

function counterWindow(sources: Source[], read: (v: ConceptValues) => Record<string, number> | undefined, view: View, opts: IncreaseOptions): number | null {
  let total: number | null = null;
  for (const src of sources) {
    for (const pts of seriesPoints(src, (s) => { const v = view(s); return v && read(v); }, () => 0).values()) {
      const inc = counterIncrease(pts, opts);
      if (inc !== undefined) total = (total ?? 0) + inc;
    }
  }
  return total;
}

function histogramWindow(sources: Source[], concept: HistogramConcept, view: View, opts: IncreaseOptions): LatencyStats | null {
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
  const ms = (s: number) => (Number.isFinite(s) ? s * 1000 : null);
  const stats: LatencyStats = {
    count,
    mean: count > 0 ? ms(sum / count) : null,
    p50: null,
    p90: null,
    p99: null,
    quantiles_from: 'none',
  };
  if (buckets.size > 0) {
    const bs = [...buckets].map(([le, c]) => ({ le, count: c }));
    stats.p50 = ms(histogramQuantile(0.5, bs));
    stats.p90 = ms(histogramQuantile(0.9, bs));
    stats.p99 = ms(histogramQuantile(0.99, bs));
    stats.quantiles_from = 'buckets';
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

function gaugeSeries(sources: Source[], concept: GaugeConcept, view: View): Point[] {
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

/** Per-second rate between consecutive scrapes of a counter concept, merged over sources. */
function rateSeries(sources: Source[], read: (v: ConceptValues) => Record<string, number> | undefined, view: View): Point[] {
  const perSource = sources.map((src) => {
    const pts: Point[] = [];
    const totals = src.snaps.map((s) => {
      const r = view(s) && read(view(s)!);
      return r ? Object.values(r).reduce((a, b) => a + b, 0) : undefined;
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

function conceptSummary(sources: Source[], view: View, opts: IncreaseOptions): ServerConceptSummary {
  const counter = (c: (typeof COUNTER_CONCEPTS)[number]) => counterWindow(sources, (v) => v.counters[c], view, opts);
  const stats = (c: GaugeConcept) => gaugeStats(gaugeSeries(sources, c, view)) ?? null;
  const reasons = new Set<string>();
  for (const src of sources) for (const s of src.snaps) for (const r of Object.keys(view(s)?.finish_reasons ?? {})) reasons.add(r);
  const finish_reasons: Record<string, number> = {};
  for (const r of [...reasons].sort()) {
    const n = counterWindow(sources, (v) => v.finish_reasons[r], view, opts);
    if (n !== null) finish_reasons[r] = n;
  }
  const hits = counter('prefix_cache_hits');
  const queries = counter('prefix_cache_queries');
  const hitGauge = stats('prefix_cache_hit_rate');
  const h = (c: HistogramConcept) => histogramWindow(sources, c, view, opts);
  return {
    tokens: { prompt: counter('prompt_tokens'), generation: counter('generation_tokens') },
    finish_reasons,
    preemptions: counter('preemptions'),
    kv_cache_usage: stats('kv_cache_usage'),
    requests_running: stats('requests_running'),
    requests_waiting: stats('requests_waiting'),
    ttft_ms: h('ttft'),
    itl_ms: h('itl'),
    e2e_ms: h('e2e'),
    queue_ms: h('queue'),
    prefill_ms: h('prefill'),
    decode_ms: h('decode'),
    prefix_cache_hit_rate: hits !== null && queries !== null && queries > 0 ? hits / queries : (hitGauge?.mean ?? null),
  };
}

/**
 * Aggregates scrapes over a window into a ServerSummary: counter increases with reset handling, gauge
 * statistics, PromQL-style histogram quantiles from bucket deltas, and means from sum/count deltas.
 * Pure: the same scrapes always give the same summary.
 *
 * @example
 * const log = await scraper.stop();
 * const summary = summarizeServerMetrics(log.scrapes, { start_ms: run.start_ms, end_ms: run.end_ms });
 */
export function summarizeServerMetrics(scrapes: readonly ScrapeInput[], options: WindowOptions = {}): ServerSummary {
  const sorted = [...scrapes].sort((a, b) => a.t_ms - b.t_ms);
  const start = options.start_ms ?? sorted[0]?.t_ms ?? 0;
  const end = options.end_ms ?? sorted[sorted.length - 1]?.t_ms ?? start;
  const opts: IncreaseOptions = { start_ms: start, end_ms: end, extrapolate: options.extrapolate ?? false };
  const inWindow = sorted.filter((s) => s.t_ms >= start && s.t_ms <= end);
  const byUrl = new Map<string, Source>();
  const engines = new Map<string, DetectedEngine>();
  for (const s of inWindow) {
    if (s.ok === false || !s.families) continue;
    const snap = extractConcepts(s.families);
    for (const e of snap.engines) engines.set(e.id + '/' + (e.variant ?? ''), e);
    const key = s.url ?? '';
    let src = byUrl.get(key);
    if (!src) byUrl.set(key, (src = { times: [], snaps: [] }));
    src.times.push(s.t_ms);
    src.snaps.push(snap);
  }
  const sources = [...byUrl.values()];
  const total: View = (s) => s.total;
  const series: Record<string, [number, number][]> = {};
  for (const c of Object.keys(GAUGE_AGGREGATION) as GaugeConcept[]) {
    const pts = gaugeSeries(sources, c, total);
    if (pts.length > 0) series[c] = pts.map(([t, v]) => [t, v]);
  }
  for (const c of ['prompt_tokens', 'generation_tokens'] as const) {
    const pts = rateSeries(sources, (v) => v.counters[c], total);
    if (pts.length > 0) series[`${c}_per_s`] = pts.map(([t, v]) => [t, v]);
  }
  const durations = inWindow.flatMap((s) => (s.duration_ms === undefined ? [] : [s.duration_ms]));
  const parses = inWindow.flatMap((s) => (s.parse_ms === undefined ? [] : [s.parse_ms]));
  const gpuStats = (c: GaugeConcept) => gaugeStats(gaugeSeries(sources, c, total)) ?? null;
  const summary: ServerSummary = {
    engines: [...new Set([...engines.values()].map((e) => e.id))],
    engine_details: [...engines.values()],
    window: { start_ms: start, end_ms: end },
    ...conceptSummary(sources, total, opts),
    gpu: {
      utilization: gpuStats('gpu_utilization'),
      memory_used_bytes: gpuStats('gpu_memory_used_bytes'),
      power_watts: gpuStats('gpu_power_watts'),
      energy_joules: counterWindow(sources, (v) => v.counters.gpu_energy_joules, total, opts),
    },
    series,
    scrapes: {
      ok: inWindow.filter((s) => s.ok !== false && s.families).length,
      failed: inWindow.filter((s) => s.ok === false || !s.families).length,
      duration_ms: { p50: percentile(durations, 50) ?? null, max: durations.length ? Math.max(...durations) : null },
      parse_ms: { p50: percentile(parses, 50) ?? null, max: parses.length ? Math.max(...parses) : null },
    },
  };
  const models = new Set<string>();
  for (const src of sources) for (const s of src.snaps) for (const m of Object.keys(s.models)) models.add(m);
  if (models.size > 1) {
    summary.by_model = {};
    for (const m of [...models].sort()) summary.by_model[m] = conceptSummary(sources, (s) => s.models[m], opts);
  }
  return summary;
}
