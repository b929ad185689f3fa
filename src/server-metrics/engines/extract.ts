import { parseGoFloat } from '../parse/go-float.js';
import type { MetricFamily, Sample } from '../parse/types.js';
import {
  GAUGE_AGGREGATION,
  emptyConceptValues,
  type ConceptSnapshot,
  type ConceptValues,
  type CounterConcept,
  type DetectedEngine,
  type GaugeConcept,
  type HistogramConcept,
  type HistogramPoint,
} from './concepts.js';
import { dcgmProfile } from './dcgm.js';
import { llamacppProfile } from './llamacpp.js';
import type { EngineProfile, FinishReasonSource, HistogramSource } from './profile.js';
import { indexSamples, isDeclared, selectSamples, seriesKey, type SampleIndex } from './sample-index.js';
import { sglangProfile } from './sglang.js';
import { tgiProfile } from './tgi.js';
import { tritonProfile } from './triton.js';
import { trtllmServeProfile, trtllmServeUnprefixedProfile } from './trtllm-serve.js';
import { vllmProfile } from './vllm.js';

/** Profiles in order of precedence: when two provide a concept (e.g. GPU power), the earlier wins. */
export const ENGINE_PROFILES: readonly EngineProfile[] = [
  vllmProfile,
  sglangProfile,
  tgiProfile,
  llamacppProfile,
  trtllmServeProfile,
  tritonProfile,
  dcgmProfile,
];

/** Profiles whose metric names appear in the scrape (several may: Triton + DCGM in one exposition). */
function matchProfiles(index: SampleIndex): { profile: EngineProfile; engine: DetectedEngine }[] {
  const out: { profile: EngineProfile; engine: DetectedEngine }[] = [];
  for (const profile of ENGINE_PROFILES) {
    const engine = profile.detect(index);
    if (engine) out.push({ profile, engine });
  }
  // Unprefixed trtllm-serve names are generic; trust them only when nothing else explains the scrape.
  if (!out.some((m) => m.profile !== dcgmProfile)) {
    const engine = trtllmServeUnprefixedProfile.detect(index);
    if (engine) out.unshift({ profile: trtllmServeUnprefixedProfile, engine });
  }
  return out;
}

/**
 * Which servers produced this exposition, from the metric names present.
 *
 * @example detectEngines(parseExposition(text)) // [{ id: 'vllm', variant: 'v1' }, { id: 'dcgm' }]
 */
export function detectEngines(families: readonly MetricFamily[]): DetectedEngine[] {
  return matchProfiles(indexSamples(families)).map((m) => m.engine);
}

/** Accumulates values into the total and, when the sample names a model, into that model's values. */
class Sink {
  readonly total = emptyConceptValues();
  readonly models = new Map<string, ConceptValues>();
  constructor(private readonly modelLabel: string | undefined) {}

  forModel(labels: Record<string, string>): ConceptValues | undefined {
    const model = this.modelLabel === undefined ? undefined : labels[this.modelLabel];
    if (model === undefined) return undefined;
    let v = this.models.get(model);
    if (!v) this.models.set(model, (v = emptyConceptValues()));
    return v;
  }
}

function aggregate(values: number[], how: 'sum' | 'mean'): number | undefined {
  const finite = values.filter((v) => !Number.isNaN(v));
  if (finite.length === 0) return undefined;
  const sum = finite.reduce((a, b) => a + b, 0);
  return how === 'sum' ? sum : sum / finite.length;
}

function putGauge(sink: Sink, concept: GaugeConcept, samples: Sample[], scale: number): void {
  const how = GAUGE_AGGREGATION[concept];
  const all: number[] = [];
  const byModel = new Map<ConceptValues, number[]>();
  for (const s of samples) {
    const v = s.value * scale;
    all.push(v);
    const m = sink.forModel(s.labels);
    if (m) byModel.set(m, [...(byModel.get(m) ?? []), v]);
  }
  const total = aggregate(all, how);
  if (total !== undefined) sink.total.gauges[concept] = total;
  for (const [m, vs] of byModel) {
    const v = aggregate(vs, how);
    if (v !== undefined) m.gauges[concept] = v;
  }
}

function putCounter(sink: Sink, concept: CounterConcept, samples: Sample[], scale: number): void {
  for (const s of samples) {
    const key = seriesKey(s.name, s.labels);
    const v = s.value * scale;
    for (const target of [sink.total, sink.forModel(s.labels)]) {
      if (!target) continue;
      (target.counters[concept] ??= {})[key] = v;
    }
  }
}

function putFinishReasons(sink: Sink, index: SampleIndex, groups: FinishReasonSource[][]): void {
  for (const group of groups) {
    const hits = group.map((src) => ({ src, samples: selectSamples(index, src.name, src.match) }));
    if (!hits.some((h) => h.samples.length > 0)) continue;
    for (const { src, samples } of hits) {
      for (const s of samples) {
        const word = src.reason ?? (src.label !== undefined ? s.labels[src.label] : undefined);
        if (word === undefined) continue;
        const reason = (src.prefix ?? '') + word;
        const key = seriesKey(s.name, s.labels);
        for (const target of [sink.total, sink.forModel(s.labels)]) {
          if (target) (target.finish_reasons[reason] ??= {})[key] = s.value;
        }
      }
    }
    return;
  }
}

/** Reads one histogram source into points per series; empty when the server lacks it. */
function readHistogram(index: SampleIndex, src: HistogramSource): Map<string, { labels: Record<string, string>; point: HistogramPoint }> {
  const scale = src.scale ?? 1;
  const out = new Map<string, { labels: Record<string, string>; point: HistogramPoint }>();
  if (src.kind === 'pair') {
    const sums = new Map<string, number>();
    for (const s of selectSamples(index, src.sum, src.match)) sums.set(seriesKey('', s.labels), s.value);
    for (const s of selectSamples(index, src.count, src.match)) {
      const k = seriesKey('', s.labels);
      const sum = sums.get(k);
      if (sum !== undefined) out.set(src.sum + k, { labels: s.labels, point: { buckets: null, sum: sum * scale, count: s.value } });
    }
    return out;
  }
  const base = src.base;
  const sums = new Map<string, number>();
  for (const s of selectSamples(index, base + '_sum', src.match)) sums.set(seriesKey(base, s.labels), s.value * scale);
  const buckets = new Map<string, { le: number; count: number }[]>();
  for (const s of selectSamples(index, base + '_bucket', src.match)) {
    const le = s.labels.le === undefined ? undefined : parseGoFloat(s.labels.le);
    if (le === undefined || Number.isNaN(le)) continue;
    const k = seriesKey(base, s.labels, 'le');
    let list = buckets.get(k);
    if (!list) buckets.set(k, (list = []));
    list.push({ le: le * scale, count: s.value });
  }
  const quantiles = new Map<string, { q: number; value: number }[]>();
  if (buckets.size === 0) {
    for (const s of selectSamples(index, base, src.match)) {
      const q = s.labels.quantile === undefined ? undefined : parseGoFloat(s.labels.quantile);
      if (q === undefined || Number.isNaN(q)) continue;
      const k = seriesKey(base, s.labels, 'quantile');
      let list = quantiles.get(k);
      if (!list) quantiles.set(k, (list = []));
      list.push({ q, value: s.value * scale });
    }
  }
  for (const s of selectSamples(index, base + '_count', src.match)) {
    const k = seriesKey(base, s.labels);
    const point: HistogramPoint = { buckets: null, sum: sums.get(k) ?? NaN, count: s.value };
    const b = buckets.get(k);
    if (b) point.buckets = b.sort((x, y) => x.le - y.le);
    const q = quantiles.get(k);
    if (q) point.quantiles = q.sort((x, y) => x.q - y.q);
    out.set(k, { labels: s.labels, point });
  }
  return out;
}

function applyProfile(profile: EngineProfile, index: SampleIndex, sink: Sink, taken: Set<string>): void {
  for (const [concept, selectors] of Object.entries(profile.gauges) as [GaugeConcept, typeof profile.gauges.kv_cache_usage][]) {
    if (taken.has('g:' + concept) || !selectors) continue;
    for (const s of selectors) {
      const samples = selectSamples(index, s.name, s.match);
      if (samples.length === 0) continue;
      putGauge(sink, concept, samples, s.scale ?? 1);
      taken.add('g:' + concept);
      break;
    }
  }
  for (const [concept, selectors] of Object.entries(profile.counters) as [CounterConcept, typeof profile.gauges.kv_cache_usage][]) {
    if (taken.has('c:' + concept) || !selectors) continue;
    for (const s of selectors) {
      const samples = selectSamples(index, s.name, s.match);
      if (samples.length === 0) continue;
      putCounter(sink, concept, samples, s.scale ?? 1);
      taken.add('c:' + concept);
      break;
    }
    // Declared but never incremented: the server counts this and the count is still zero.
    if (!taken.has('c:' + concept) && selectors.some((s) => !s.match && isDeclared(index, s.name))) {
      sink.total.counters[concept] ??= {};
      taken.add('c:' + concept);
    }
  }
  if (profile.finishReasons && !taken.has('finish')) {
    putFinishReasons(sink, index, profile.finishReasons);
    if (Object.keys(sink.total.finish_reasons).length > 0) taken.add('finish');
  }
  for (const [concept, sources] of Object.entries(profile.histograms) as [HistogramConcept, HistogramSource[]][]) {
    if (taken.has('h:' + concept)) continue;
    for (const src of sources) {
      const points = readHistogram(index, src);
      if (points.size === 0) continue;
      for (const [key, { labels, point }] of points) {
        for (const target of [sink.total, sink.forModel(labels)]) {
          if (target) (target.histograms[concept] ??= {})[key] = point;
        }
      }
      taken.add('h:' + concept);
      break;
    }
  }
}

/**
 * Maps one scrape onto the common concepts: detects the servers present, then reads each concept from the
 * first profile (and first alternative name) that has it. Counters and histograms stay per series.
 *
 * @example
 * const snap = extractConcepts(parseExposition(text));
 * snap.total.gauges.kv_cache_usage // 0.42
 */
export function extractConcepts(families: readonly MetricFamily[]): ConceptSnapshot {
  const index = indexSamples(families);
  const matched = matchProfiles(index);
  const total = emptyConceptValues();
  const models = new Map<string, ConceptValues>();
  const taken = new Set<string>();
  for (const { profile } of matched) {
    const sink = new Sink(profile.modelLabel);
    applyProfile(profile, index, sink, taken);
    mergeInto(total, sink.total);
    for (const [m, v] of sink.models) {
      const into = models.get(m);
      if (into) mergeInto(into, v);
      else models.set(m, v);
    }
  }
  return {
    engines: matched.map((m) => m.engine),
    total,
    models: models.size > 1 ? Object.fromEntries(models) : {},
  };
}

/** Adds concepts from `from` that `into` lacks (profiles never provide the same concept twice). */
function mergeInto(into: ConceptValues, from: ConceptValues): void {
  Object.assign(into.gauges, from.gauges);
  Object.assign(into.counters, from.counters);
  Object.assign(into.histograms, from.histograms);
  for (const [reason, series] of Object.entries(from.finish_reasons)) {
    into.finish_reasons[reason] = { ...into.finish_reasons[reason], ...series };
  }
}
