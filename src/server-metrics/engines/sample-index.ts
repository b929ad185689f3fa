import type { MetricFamily, Sample } from '../parse/types.js';

/** Samples of one scrape by full sample name. */
export type SampleIndex = Map<string, Sample[]>;

/** Indexes every sample of a scrape by its name (one pass). */
export function indexSamples(families: readonly MetricFamily[]): SampleIndex {
  const index: SampleIndex = new Map();
  for (const f of families) {
    for (const s of f.samples) {
      const list = index.get(s.name);
      if (list) list.push(s);
      else index.set(s.name, [s]);
    }
  }
  return index;
}

/** Whether any sample name starts with `prefix`. */
export function hasPrefix(index: SampleIndex, prefix: string): boolean {
  for (const name of index.keys()) if (name.startsWith(prefix)) return true;
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
