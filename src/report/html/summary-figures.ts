/** The headline figures of a run, read defensively from results.summary (a file may lack any field). */
import type { ResultsDocument } from '../../results/results-document.js';

export type Tone = 'good' | 'bad' | 'warn' | '';

export interface Figure {
  title: string;
  value: string;
  sub: string;
  tone: Tone;
}

/** A number at a dotted path of an object, or null when absent or not a finite number. */
export function numberAt(obj: unknown, path: string): number | null {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : null;
}

/** Fixed-locale number: thousands separators, decimals by magnitude unless given. */
export function fmt(v: number | null, decimals?: number): string {
  if (v === null) return '-';
  const d = decimals ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function pct(v: number | null): string {
  return v === null ? '-' : `${fmt(v * 100, v === 0 || v === 1 ? 0 : 1)}%`;
}

function ms(v: number | null): string {
  return v === null ? '-' : `${fmt(v)} ms`;
}

/**
 * The cards of one run, in page order: requests, success, TTFT, TPOT, ITL, E2E, throughput, concurrency,
 * goodput (with an SLO), cost (with prices), fidelity and thresholds (when present).
 */
export function runFigures(results: ResultsDocument): Figure[] {
  const s: unknown = results.summary;
  const n = (p: string): number | null => numberAt(s, p);
  const total = n('requests.total');
  const ok = n('requests.succeeded');
  const failed = n('requests.failed');
  const errorRate = n('errors.error_rate');
  const figures: Figure[] = [
    {
      title: 'Requests',
      value: fmt(total, 0),
      sub: `${fmt(ok, 0)} ok, ${fmt(failed, 0)} failed, ${fmt(n('window_s'), 1)} s window`,
      tone: '',
    },
    {
      title: 'Success rate',
      value: errorRate === null ? '-' : pct(1 - errorRate),
      sub: `${fmt(n('errors.total'), 0)} errors`,
      tone: errorRate === null ? '' : errorRate === 0 ? 'good' : errorRate > 0.05 ? 'bad' : 'warn',
    },
  ];
  const latency = (title: string, key: string): Figure => ({
    title: `${title} p50 / p99 (ms)`,
    value: `${fmt(n(`${key}.p50`))} / ${fmt(n(`${key}.p99`))}`,
    sub: `mean ${ms(n(`${key}.mean`))}, max ${ms(n(`${key}.max`))}`,
    tone: '',
  });
  figures.push(latency('TTFT', 'ttft_ms'), latency('TPOT', 'tpot_ms'), latency('ITL', 'itl_ms'), latency('E2E', 'e2e_ms'));
  figures.push({
    title: 'Output tokens/s',
    value: fmt(n('throughput.output_tokens_per_s')),
    sub: `peak ${fmt(n('throughput.peak_output_tokens_per_s'))}/s, ${fmt(n('throughput.requests_per_s'))} req/s`,
    tone: '',
  });
  figures.push({
    title: 'Concurrency',
    value: `${fmt(n('throughput.concurrency.mean'))}`,
    sub: `mean in flight, max ${fmt(n('throughput.concurrency.max'), 0)}`,
    tone: '',
  });
  const attainment = n('goodput.attainment');
  if (attainment !== null) {
    figures.push({
      title: 'Goodput',
      value: `${fmt(n('goodput.requests_per_s'))} req/s`,
      sub: `${pct(attainment)} of requests met the SLO`,
      tone: attainment >= 0.99 ? 'good' : attainment < 0.9 ? 'bad' : 'warn',
    });
  }
  const cost = n('cost.per_1m_output_tokens');
  if (cost !== null) figures.push({ title: 'Cost / 1M output tokens', value: fmt(cost), sub: `total ${fmt(n('cost.total'))}`, tone: '' });
  const fidelity = (s as { fidelity?: { valid?: unknown; status?: unknown; invalid_reasons?: unknown; degraded_reasons?: unknown } } | null)?.fidelity;
  if (fidelity && typeof fidelity.valid === 'boolean') {
    const status = typeof fidelity.status === 'string' ? fidelity.status : fidelity.valid ? 'valid' : 'invalid';
    const reasons = [
      ...(Array.isArray(fidelity.invalid_reasons) ? fidelity.invalid_reasons.map(String) : []),
      ...(Array.isArray(fidelity.degraded_reasons) ? fidelity.degraded_reasons.map(String) : []),
    ];
    const u = n('fidelity.timing_uncertainty_ms');
    figures.push({
      title: 'Load fidelity',
      value: status,
      // The reasons are sentences; they are listed in full under Outcomes, so the card stays the size of its row.
      sub:
        status === 'valid' || reasons.length === 0
          ? `timestamps +/- ${ms(u ?? n('fidelity.event_loop_lag_ms.p99'))}`
          : `${u !== null ? `timestamps +/- ${ms(u)}; ` : ''}${reasons.length === 1 ? 'why' : `${reasons.length} reasons`} under Outcomes`,
      tone: status === 'valid' ? 'good' : status === 'degraded' ? 'warn' : 'bad',
    });
  }
  const thresholds = (results as { thresholds?: { passed?: unknown; results?: unknown } }).thresholds;
  if (thresholds && typeof thresholds.passed === 'boolean') {
    const count = Array.isArray(thresholds.results) ? thresholds.results.length : 0;
    figures.push({ title: 'Thresholds', value: thresholds.passed ? 'passed' : 'failed', sub: `${count} checked`, tone: thresholds.passed ? 'good' : 'bad' });
  }
  return figures;
}

/** Rows of the side-by-side table: [metric, value per run]. */
export function comparisonRows(results: readonly ResultsDocument[]): Array<[string, string[]]> {
  const rows: Array<[string, (s: unknown) => string]> = [
    ['Requests', (s) => fmt(numberAt(s, 'requests.total'), 0)],
    ['Error rate', (s) => pct(numberAt(s, 'errors.error_rate'))],
  ];
  for (const [name, key] of [['TTFT', 'ttft_ms'], ['TPOT', 'tpot_ms'], ['ITL', 'itl_ms'], ['E2E', 'e2e_ms']] as const) {
    for (const stat of ['p50', 'p90', 'p99'] as const) rows.push([`${name} ${stat} (ms)`, (s) => fmt(numberAt(s, `${key}.${stat}`))]);
  }
  rows.push(
    ['Output tokens/s', (s) => fmt(numberAt(s, 'throughput.output_tokens_per_s'))],
    ['Peak output tokens/s', (s) => fmt(numberAt(s, 'throughput.peak_output_tokens_per_s'))],
    ['Requests/s', (s) => fmt(numberAt(s, 'throughput.requests_per_s'))],
    ['Mean concurrency', (s) => fmt(numberAt(s, 'throughput.concurrency.mean'))],
    ['Goodput (req/s)', (s) => fmt(numberAt(s, 'goodput.requests_per_s'))],
    ['SLO attainment', (s) => pct(numberAt(s, 'goodput.attainment'))],
  );
  return rows.map(([name, f]) => [name, results.map((r) => f(r.summary))]);
}
