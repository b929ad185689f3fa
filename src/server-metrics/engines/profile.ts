import type { CounterConcept, DetectedEngine, EngineId, GaugeConcept, HistogramConcept } from './concepts.js';
import type { SampleIndex } from './sample-index.js';

/** Picks series by sample name and, optionally, exact label values; `scale` converts to the concept's unit. */
export interface SeriesSelector {
  name: string;
  match?: Record<string, string>;
  scale?: number;
}

/**
 * Where a latency concept comes from: a histogram or summary (`base_bucket`/`base{quantile}`, `base_sum`,
 * `base_count`), or a pair of counters giving only a mean (`sum` / `count`). `scale` converts to seconds.
 */
export type HistogramSource =
  | { kind: 'histogram'; base: string; scale?: number; match?: Record<string, string> }
  | { kind: 'pair'; sum: string; count: string; scale?: number; match?: Record<string, string> };

/** Finished-request counters: the reason is a fixed word or taken from a label (with an optional prefix). */
export interface FinishReasonSource {
  name: string;
  reason?: string;
  label?: string;
  prefix?: string;
  match?: Record<string, string>;
}

/**
 * How one server's metric names map onto the common concepts. Each concept lists alternatives in order
 * of preference (new name first, then renamed ones); the first with any series wins, so a server that
 * exposes both the old and new name is not counted twice.
 */
export interface EngineProfile {
  id: EngineId;
  detect(index: SampleIndex): DetectedEngine | undefined;
  /** Label holding the model name, for a per-model breakdown when there are several. */
  modelLabel?: string;
  gauges: Partial<Record<GaugeConcept, SeriesSelector[]>>;
  counters: Partial<Record<CounterConcept, SeriesSelector[]>>;
  /** Alternative groups; the first group with any series is used whole. */
  finishReasons?: FinishReasonSource[][];
  histograms: Partial<Record<HistogramConcept, HistogramSource[]>>;
}

/** Shorthand for a histogram source. */
export function hist(base: string, match?: Record<string, string>): HistogramSource {
  return match ? { kind: 'histogram', base, match } : { kind: 'histogram', base };
}

/** Shorthand for a selector list. */
export function sel(...names: string[]): SeriesSelector[] {
  return names.map((name) => ({ name }));
}
