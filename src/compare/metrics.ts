/**
 * The metrics `compare` judges: their keys (used by --threshold-pct and --fail-on-regression), which way is
 * better, and how each is tested.
 */

export type LatencyFamily = 'ttft' | 'tpot' | 'itl' | 'e2e';
export type LatencyStat = 'mean' | 'p50' | 'p90' | 'p99';
export type MetricKind = 'latency' | 'throughput' | 'proportion' | 'score';

export interface MetricDef {
  /** Stable key, e.g. "ttft_p99", "output_tokens_per_s", "error_rate". */
  key: string;
  /** Human label, e.g. "TTFT p99". */
  label: string;
  /** Selector groups the key belongs to besides itself, e.g. ["ttft", "latency"]. */
  groups: readonly string[];
  kind: MetricKind;
  unit: 'ms' | 'req/s' | 'tok/s' | '%' | 'score';
  better: 'lower' | 'higher';
}

export const LATENCY_FAMILIES: readonly LatencyFamily[] = ['ttft', 'tpot', 'itl', 'e2e'];
export const LATENCY_STATS: readonly LatencyStat[] = ['mean', 'p50', 'p90', 'p99'];
/** Quantile levels in the same order as the p* stats of LATENCY_STATS. */
export const LATENCY_QUANTILES: readonly number[] = [0.5, 0.9, 0.99];

const FAMILY_LABEL: Record<LatencyFamily, string> = { ttft: 'TTFT', tpot: 'TPOT', itl: 'ITL', e2e: 'E2E' };

/** Every metric in display order. */
export const METRICS: readonly MetricDef[] = [
  ...LATENCY_FAMILIES.flatMap((family) =>
    LATENCY_STATS.map(
      (stat): MetricDef => ({
        key: `${family}_${stat}`,
        label: `${FAMILY_LABEL[family]} ${stat}`,
        groups: [family, 'latency'],
        kind: 'latency',
        unit: 'ms',
        better: 'lower',
      }),
    ),
  ),
  { key: 'requests_per_s', label: 'requests/s', groups: ['throughput', 'rps'], kind: 'throughput', unit: 'req/s', better: 'higher' },
  {
    key: 'output_tokens_per_s',
    label: 'output tok/s',
    groups: ['throughput', 'tokens_per_s', 'otps'],
    kind: 'throughput',
    unit: 'tok/s',
    better: 'higher',
  },
  { key: 'error_rate', label: 'error rate', groups: ['errors'], kind: 'proportion', unit: '%', better: 'lower' },
  {
    key: 'goodput_attainment',
    label: 'goodput attainment',
    groups: ['goodput', 'attainment'],
    kind: 'proportion',
    unit: '%',
    better: 'higher',
  },
  // Answer quality against dataset references (only when a run was scored).
  { key: 'exact_match', label: 'exact match', groups: ['quality'], kind: 'proportion', unit: '%', better: 'higher' },
  { key: 'f1', label: 'answer F1', groups: ['quality'], kind: 'score', unit: 'score', better: 'higher' },
  { key: 'rouge_l', label: 'ROUGE-L', groups: ['quality'], kind: 'score', unit: 'score', better: 'higher' },
];

/** Every accepted selector: metric keys and group names. */
export function metricSelectors(): string[] {
  const out = new Set<string>();
  for (const m of METRICS) {
    out.add(m.key);
    for (const g of m.groups) out.add(g);
  }
  return [...out];
}

/**
 * Normalizes a user's metric selector: lower case, "ttft.p99" -> "ttft_p99", "ttft-p99" -> "ttft_p99".
 * Returns null when it names no metric or group.
 */
export function normalizeSelector(text: string): string | null {
  // The threshold spelling works too: "throughput.output_tokens_per_s", "goodput.attainment", "ttft.p90".
  const key = text
    .trim()
    .toLowerCase()
    .replace(/^throughput\./, '')
    .replace(/^goodput\.attainment$/, 'goodput_attainment')
    .replace(/[.\-/]/g, '_');
  return metricSelectors().includes(key) ? key : null;
}

/** Whether a (normalized) selector picks this metric; the key itself is the most specific match. */
export function selects(selector: string, metric: MetricDef): boolean {
  return selector === metric.key || metric.groups.includes(selector);
}
