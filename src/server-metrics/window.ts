import { GAUGE_AGGREGATION, type ConceptValues, type CounterConcept, type DetectedEngine, type GaugeConcept, type HistogramConcept } from './engines/concepts.js';
import { extractConcepts } from './engines/extract.js';
import { histogramWindow } from './histogram-window.js';
import type { MetricFamily } from './parse/types.js';
import type { IncreaseOptions } from './promql.js';
import { gaugeStats, percentile } from './series-stats.js';
import type { ServerConceptSummary, ServerSummary } from './server-summary.js';
import { counterWindow, gaugeSeries, rateSeries, type Source, type View } from './window-series.js';

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

/** a / b when both are known and b > 0. */
const ratio = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b > 0 ? a / b : null);

/**
 * Prompt tokens on one footing: `prompt` with cache hits included (what the client sent), `computed` without.
 * Each engine counts one of them (llama.cpp only computed tokens) and, in newer builds, the cached ones; the
 * missing one follows from the other two.
 */
function promptTokens(counter: (c: CounterConcept) => number | null): Omit<ServerConceptSummary['tokens'], 'generation'> {
  const total = counter('prompt_tokens');
  const computed = counter('prompt_tokens_computed');
  const cached = counter('prompt_tokens_cached');
  return {
    prompt: total ?? (computed !== null && cached !== null ? computed + cached : null),
    prompt_cached: cached,
    prompt_computed: computed ?? (total !== null && cached !== null ? Math.max(0, total - cached) : null),
  };
}

function conceptSummary(sources: Source[], view: View, opts: IncreaseOptions): ServerConceptSummary {
  const counter = (c: CounterConcept) => counterWindow(sources, (v) => v.counters[c], view, opts);
  const stats = (c: GaugeConcept) => gaugeStats(gaugeSeries(sources, c, view)) ?? null;
  const reasons = new Set<string>();
  for (const src of sources) for (const s of src.snaps) for (const r of Object.keys(view(s)?.finish_reasons ?? {})) reasons.add(r);
  const finish_reasons: Record<string, number> = {};
  for (const r of [...reasons].sort()) {
    const n = counterWindow(sources, (v) => v.finish_reasons[r], view, opts);
    if (n !== null) finish_reasons[r] = n;
  }
  const { prompt, prompt_cached, prompt_computed } = promptTokens(counter);
  const reused = counter('prefix_cache_reused_blocks');
  const missed = counter('prefix_cache_missed_blocks');
  const hitRate =
    ratio(counter('prefix_cache_hits'), counter('prefix_cache_queries')) ??
    ratio(prompt_cached, prompt) ??
    ratio(reused, reused !== null && missed !== null ? reused + missed : null) ??
    stats('prefix_cache_hit_rate')?.mean ??
    null;
  const h = (c: HistogramConcept) => histogramWindow(sources, c, view, opts);
  return {
    tokens: { prompt, generation: counter('generation_tokens'), prompt_cached, prompt_computed },
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
    prefix_cache_hit_rate: hitRate,
    prefix_cache_reused_blocks: reused,
    prefill_tokens_per_s: ratio(prompt_computed, counter('prefill_seconds')),
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
  // Prompt tokens/s with cache hits included: llama.cpp counts computed and cached tokens apart.
  const promptReads = sources.some((src) => src.snaps.some((s) => s.total.counters.prompt_tokens))
    ? [(v: ConceptValues) => v.counters.prompt_tokens]
    : [(v: ConceptValues) => v.counters.prompt_tokens_computed, (v: ConceptValues) => v.counters.prompt_tokens_cached];
  for (const [name, reads] of [
    ['prompt_tokens_per_s', promptReads],
    ['generation_tokens_per_s', [(v: ConceptValues) => v.counters.generation_tokens]],
  ] as const) {
    const pts = rateSeries(sources, [...reads], total);
    if (pts.length > 0) series[name] = pts.map(([t, v]) => [t, v]);
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
