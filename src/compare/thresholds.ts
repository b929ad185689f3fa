/**
 * Parsing of compare's flags that name metrics or percentages: --min-change, --threshold-pct,
 * --fail-on-regression and --confidence. Each failure is a ConfigError naming the flag and the allowed forms.
 */
import { ConfigError } from '../config/errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { METRICS, metricSelectors, normalizeSelector, selects } from './metrics.js';

const SELECTOR_HELP = () =>
  `metric names: ${metricSelectors().join(', ')} (a family like "ttft" selects its mean, p50, p90 and p99; "ttft.p99" works too)`;

/**
 * A percentage: "5", "5%" or "0.5%". Must be >= 0 and finite.
 * @example parsePercent('5%', '--min-change') // 5
 */
export function parsePercent(text: string, flag: string): number {
  const t = text.trim().replace(/%$/, '').trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(flag, `${flag}: expected a percentage like "5%" or "5", got ${JSON.stringify(text)}`);
  }
  return n;
}

/**
 * Per-metric thresholds: "ttft=10,e2e_p99=5%". Keys are metric names or families.
 * @example parseThresholdPct('ttft=10,e2e=5') // { ttft: 10, e2e: 5 }
 */
export function parseThresholdPct(spec: string, flag = '--threshold-pct'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(flag, `${flag}: ${JSON.stringify(part)} is not METRIC=PERCENT (e.g. "ttft=10,e2e=5")`);
    const key = normalizeSelector(part.slice(0, eq));
    if (key === null) {
      const name = part.slice(0, eq).trim();
      throw new ConfigError(flag, `${flag}: unknown metric ${JSON.stringify(name)}${didYouMean(name, metricSelectors())}; ${SELECTOR_HELP()}`);
    }
    if (out[key] !== undefined) throw new ConfigError(flag, `${flag}: ${key} given twice`);
    out[key] = parsePercent(part.slice(eq + 1), `${flag} ${key}`);
  }
  if (Object.keys(out).length === 0) throw new ConfigError(flag, `${flag}: empty; use METRIC=PERCENT pairs like "ttft=10,e2e=5"`);
  return out;
}

/**
 * The metric keys a comma list selects ("ttft,e2e_p99,output_tokens_per_s"); every metric for `true`.
 * @example parseMetricList('ttft,errors') // ['ttft_mean', 'ttft_p50', 'ttft_p90', 'ttft_p99', 'error_rate']
 */
export function parseMetricList(spec: string | true, flag = '--fail-on-regression'): string[] {
  if (spec === true) return METRICS.map((m) => m.key);
  const selectors: string[] = [];
  for (const raw of spec.split(',')) {
    if (raw.trim() === '') continue;
    const key = normalizeSelector(raw);
    if (key === null) throw new ConfigError(flag, `${flag}: unknown metric ${JSON.stringify(raw.trim())}${didYouMean(raw.trim(), metricSelectors())}; ${SELECTOR_HELP()}`);
    selectors.push(key);
  }
  if (selectors.length === 0) throw new ConfigError(flag, `${flag}: empty metric list; ${SELECTOR_HELP()}`);
  return METRICS.filter((m) => selectors.some((s) => selects(s, m))).map((m) => m.key);
}

/**
 * The threshold (in %) for one metric: its own key first, then its most specific group, then the default.
 */
export function thresholdFor(metricKey: string, perSelector: Record<string, number>, defaultPct: number): number {
  const metric = METRICS.find((m) => m.key === metricKey);
  if (!metric) return defaultPct;
  const own = perSelector[metric.key];
  if (own !== undefined) return own;
  for (const g of metric.groups) {
    const v = perSelector[g];
    if (v !== undefined) return v;
  }
  return defaultPct;
}

/** A confidence level: "0.95", "95" or "95%"; must end up strictly between 0.5 and 1. */
export function parseConfidence(text: string, flag = '--confidence'): number {
  const t = text.trim();
  let n = Number(t.replace(/%$/, ''));
  if (t.endsWith('%') || n > 1) n /= 100;
  if (!Number.isFinite(n) || !(n > 0.5 && n < 1)) {
    throw new ConfigError(flag, `${flag}: expected a level between 0.5 and 1 like 0.95 or 95%, got ${JSON.stringify(text)}`);
  }
  return n;
}
