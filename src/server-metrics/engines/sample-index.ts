import type { MetricFamily, Sample } from '../parse/types.js';

/** Samples of one scrape by full sample name. */
export type SampleIndex = Map<string, Sample[]>;

/**
 * Indexes every sample of a scrape by its name (one pass). A family declared without any series (a labelled
 * counter the server has not incremented yet, e.g. SGLang's `cached_tokens_total` before the first cache hit)
 * is indexed under its sample name with no samples, so "declared, still zero" differs from "not exposed".
 */
export function indexSamples(families: readonly MetricFamily[]): SampleIndex {
  const index: SampleIndex = new Map();
  for (const f of families) {
    if (f.samples.length === 0) {
      const name = f.type === 'counter' ? `${f.name}_total` : f.name;
      if (!index.has(name)) index.set(name, []);
      continue;
    }
    for (const s of f.samples) {
      const list = index.get(s.name);
      if (list) list.push(s);
      else index.set(s.name, [s]);
    }
  }
  return index;
}

/** Whether the scrape declares `name` (HELP/TYPE lines), with or without series. */
export function isDeclared(index: SampleIndex, name: string): boolean {
  return index.has(name);
}

/** Whether any series' name starts with `prefix` (declared-only families do not count). */
export function hasPrefix(index: SampleIndex, prefix: string): boolean {
  for (const [name, samples] of index) if (samples.length > 0 && name.startsWith(prefix)) return true;
  return false;
}

/** Samples named `name` whose labels include every pair of `match`. */
export function selectSamples(index: SampleIndex, name: string, match?: Record<string, string>): Sample[] {
  const list = index.get(name);
  if (!list) return [];
  if (!match) return list;
  const keys = Object.keys(match);
  return list.filter((s) => keys.every((k) => s.labels[k] === match[k]));
}

/** Identity of a series: name plus labels except the `omit` ones (e.g. `le`, `quantile`). */
export function seriesKey(name: string, labels: Record<string, string>, omit?: string): string {
  let key = name + '{';
  for (const k in labels) {
    if (k === omit) continue;
    key += k + '=' + JSON.stringify(labels[k]) + ',';
  }
  return key + '}';
}
