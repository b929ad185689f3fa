/**
 * k6-style pass/fail thresholds on the run summary, e.g. `ttft.p95<500ms`, `error_rate<0.01`,
 * `goodput.attainment>=0.9`. Parsed (and rejected) before the run starts; evaluated on the summary after.
 */
import { parseDurationMs } from './duration.js';
import { ConfigError } from './errors.js';
import { didYouMean } from '../util/did-you-mean.js';

export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type ThresholdUnit = 'ms' | 'ratio' | 'count' | 'per_s' | 'currency';

export interface Threshold {
  /** The expression as written. */
  expr: string;
  /** Canonical metric name, e.g. "ttft.p95", "error_rate", "throughput.output_tokens_per_s". */
  metric: string;
  /** Key path into the run summary. */
  path: string[];
  op: ThresholdOp;
  /** Limit in the metric's unit (ms for latencies, a fraction for rates). */
  value: number;
  unit: ThresholdUnit;
}

export interface ThresholdResult {
  expr: string;
  metric: string;
  op: ThresholdOp;
  value: number;
  unit: ThresholdUnit;
  /** The summary's value; null when the metric has no value (e.g. no samples, no SLO given). */
  actual: number | null;
  ok: boolean;
  /** Why a threshold failed without a comparison. */
  reason?: string;
}

export interface ThresholdOutcome {
  passed: boolean;
  results: ThresholdResult[];
}

const LATENCY_METRICS = [
  'ttft', 'tpot', 'itl', 'e2e', 'ttfo', 'itl_per_token', 'e2e_per_output_token',
  'time_to_second_token', 'max_stall', 'stream_close', 'schedule_lag',
] as const;
const STATS = ['count', 'mean', 'std', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'p999'] as const;
/** k6 spellings accepted for statistics. */
const STAT_ALIASES: Record<string, string> = { avg: 'mean', med: 'p50', 'p(50)': 'p50', 'p(90)': 'p90', 'p(95)': 'p95', 'p(99)': 'p99', 'p(99.9)': 'p999', 'p99.9': 'p999' };

/** Non-latency metrics: name -> [summary path, unit]. */
const SCALAR_METRICS: Record<string, [string[], ThresholdUnit]> = {
  error_rate: [['errors', 'error_rate'], 'ratio'],
  errors: [['errors', 'total'], 'count'],
  tpot_na: [['tpot_na'], 'count'],
  'requests.total': [['requests', 'total'], 'count'],
  'requests.succeeded': [['requests', 'succeeded'], 'count'],
  'requests.failed': [['requests', 'failed'], 'count'],
  'throughput.requests_per_s': [['throughput', 'requests_per_s'], 'per_s'],
  'throughput.output_tokens_per_s': [['throughput', 'output_tokens_per_s'], 'per_s'],
  'throughput.total_tokens_per_s': [['throughput', 'total_tokens_per_s'], 'per_s'],
  'throughput.peak_output_tokens_per_s': [['throughput', 'peak_output_tokens_per_s'], 'per_s'],
  'goodput.requests_per_s': [['goodput', 'requests_per_s'], 'per_s'],
  'goodput.attainment': [['goodput', 'attainment'], 'ratio'],
  'cost.per_request': [['cost', 'per_request'], 'currency'],
  'cost.per_1m_output_tokens': [['cost', 'per_1m_output_tokens'], 'currency'],
  'cost.per_1m_total_tokens': [['cost', 'per_1m_total_tokens'], 'currency'],
  'cost.per_good_request': [['cost', 'per_good_request'], 'currency'],
};

export const THRESHOLD_FORMS =
  `METRIC OP VALUE with OP one of < <= > >= == !=; METRIC one of ` +
  `${LATENCY_METRICS.join('|')}.{${STATS.join('|')}} (VALUE a duration like 500ms or 2s, bare = ms; count takes a number), ` +
  `errors.<error class> (count), ${Object.keys(SCALAR_METRICS).join(', ')} ` +
  `(rates and attainment as a fraction or a percentage like 1%); e.g. "ttft.p95<500ms", "error_rate<0.01", ` +
  `"goodput.attainment>=0.9"`;

const EXPR = /^\s*([A-Za-z0-9_.()]+?)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;

/**
 * Parses one threshold expression. Throws ConfigError listing the allowed forms when it is malformed.
 *
 * @example parseThreshold('ttft.p95<500ms') // { metric: 'ttft.p95', path: ['ttft_ms','p95'], op: '<', value: 500, ... }
 */
export function parseThreshold(expr: string, field = '--threshold'): Threshold {
  const m = EXPR.exec(expr);
  const fail = (why: string, cause?: unknown): never => {
    throw new ConfigError(field, `${field}: ${why} in ${JSON.stringify(expr)}; use ${THRESHOLD_FORMS}`, { cause });
  };
  if (!m) return fail('not METRIC OP VALUE');
  const name = (m[1] as string).toLowerCase();
  const op = m[2] as ThresholdOp;
  const rawValue = m[3] as string;
  const { metric, path, unit } = resolveMetric(name) ?? fail(`unknown metric ${JSON.stringify(name)}${didYouMean(name, thresholdMetricNames())}`);
  let value: number;
  try {
    value = parseValue(rawValue, unit, field);
  } catch (err) {
    return fail(`bad value ${JSON.stringify(rawValue)} for ${metric}`, err);
  }
  return { expr: expr.trim(), metric, path, op, value, unit };
}

/** Parses a list of threshold expressions (each failure names its position). */
export function parseThresholds(exprs: readonly string[], field = '--threshold'): Threshold[] {
  return exprs.map((e, i) => parseThreshold(e, exprs.length > 1 ? `${field}[${i}]` : field));
}

/**
 * Evaluates thresholds against a run summary. A metric with no value (null: no samples, no SLO given,
 * no prices) fails its threshold, with the reason.
 *
 * @example evaluateThresholds([parseThreshold('error_rate<0.01')], summary).passed
 */
export function evaluateThresholds(thresholds: readonly Threshold[], summary: unknown): ThresholdOutcome {
  const results = thresholds.map((t): ThresholdResult => {
    const actual = lookup(summary, t.path);
    const base = { expr: t.expr, metric: t.metric, op: t.op, value: t.value, unit: t.unit, actual };
    if (actual === null) return { ...base, ok: false, reason: `${t.metric} has no value (${missingWhy(t.path)})` };
    return { ...base, ok: compare(actual, t.op, t.value) };
  });
  return { passed: results.every((r) => r.ok), results };
}

/** Every metric name a threshold accepts (error classes aside), for suggestions. */
function thresholdMetricNames(): string[] {
  return [...Object.keys(SCALAR_METRICS), ...LATENCY_METRICS.flatMap((m) => STATS.map((s) => `${m}.${s}`))];
}

/**
 * compare's spelling works too: "ttft_p95" for ttft.p95, "output_tokens_per_s" for throughput.output_tokens_per_s,
 * "goodput_attainment" for goodput.attainment.
 */
function canonicalName(raw: string): string {
  if (SCALAR_METRICS[raw]) return raw;
  for (const prefix of ['throughput.', 'goodput.']) if (SCALAR_METRICS[`${prefix}${raw}`]) return `${prefix}${raw}`;
  if (raw === 'goodput_attainment') return 'goodput.attainment';
  const m = /^([a-z0-9_]+?)_(count|mean|std|min|max|p50|p90|p95|p99|p999)$/.exec(raw);
  return m && (LATENCY_METRICS as readonly string[]).includes(m[1]!) ? `${m[1]}.${m[2]}` : raw;
}

function resolveMetric(raw: string): { metric: string; path: string[]; unit: ThresholdUnit } | null {
  const name = canonicalName(raw);
  const scalar = SCALAR_METRICS[name];
  if (scalar) return { metric: name, path: scalar[0], unit: scalar[1] };
  const dot = name.indexOf('.');
  if (dot < 0) return null;
  const head = name.slice(0, dot);
  const tail = name.slice(dot + 1);
  if (head === 'errors' && /^[a-z0-9_]+$/.test(tail)) {
    return { metric: name, path: ['errors', 'by_class', tail], unit: 'count' };
  }
  if (!(LATENCY_METRICS as readonly string[]).includes(head)) return null;
  const stat = STAT_ALIASES[tail] ?? tail;
  if (!(STATS as readonly string[]).includes(stat)) return null;
  return { metric: `${head}.${stat}`, path: [`${head}_ms`, stat], unit: stat === 'count' ? 'count' : 'ms' };
}

function parseValue(raw: string, unit: ThresholdUnit, field: string): number {
  if (unit === 'ms') return parseDurationMs(raw, { field });
  if (unit === 'ratio' && raw.endsWith('%')) {
    const pct = Number(raw.slice(0, -1));
    if (raw.length > 1 && Number.isFinite(pct)) return pct / 100;
  }
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n)) throw new ConfigError(field, `${field}: ${JSON.stringify(raw)} is not a number`);
  return n;
}

/** Reads a number at a key path; missing error classes count 0; anything else missing or non-numeric is null. */
function lookup(root: unknown, path: readonly string[]): number | null {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[key];
  }
  if (node === undefined && path[0] === 'errors' && path[1] === 'by_class') return 0;
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

function missingWhy(path: readonly string[]): string {
  if (path[0] === 'goodput') return 'no SLO given';
  if (path[0] === 'cost') return 'no prices given';
  return 'no samples';
}

function compare(actual: number, op: ThresholdOp, value: number): boolean {
  switch (op) {
    case '<': return actual < value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '>=': return actual >= value;
    case '==': return actual === value;
    case '!=': return actual !== value;
  }
}
