/** Turns a compareRuns report into the renderer's CompareTable (the renderer itself knows nothing of compare). */
import type { CompareReport, ConfidenceInterval, MetricComparison, Verdict } from '../../compare/types.js';
import type { CompareTable } from './comparison-section.js';

const VERDICT_TEXT: Record<Verdict, string> = {
  improved: 'improved',
  regressed: 'REGRESSED',
  no_significant_change: 'no significant change',
  'n/a': 'n/a',
};


/**
 * One table row per metric: base, candidate, change, interval, verdict; rows tinted by verdict; fairness
 * warnings above, notes below.
 *
 * @example renderHtmlReport(runs, { compare: compareTable(compareRuns(toLoadedRun(a), toLoadedRun(b))) })
 */
export function compareTable(report: CompareReport): CompareTable {
  const level = `${Math.round(report.confidence * 1000) / 10}% CI`;
  return {
    caption: `base ${report.base.label} vs candidate ${report.candidate.label}`,
    headers: ['metric', 'base', 'candidate', 'change', level, 'verdict'],
    rows: report.metrics.map((m) => [label(m), value(m, m.base), value(m, m.candidate), change(m), interval(m.ci), VERDICT_TEXT[m.verdict]]),
    tones: report.metrics.map((m) => (m.verdict === 'improved' ? 'better' : m.verdict === 'regressed' ? 'worse' : '')),
    deltaColumns: [3, 5],
    alignRight: [1, 2, 3],
    warnings: report.warnings.map((w) => w.message),
    notes: [
      ...report.notes,
      ...report.metrics.filter((m) => m.note).map((m) => `${m.label}: ${m.note}`),
      ...report.method,
    ],
  };
}

function label(m: MetricComparison): string {
  return `${m.label} (${m.unit})`;
}

function value(m: MetricComparison, v: number | null): string {
  if (v === null) return 'n/a';
  if (m.unit === '%') return (v * 100).toFixed(2);
  const a = Math.abs(v);
  return v.toFixed(a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 3);
}

function change(m: MetricComparison): string {
  if (m.base === null || m.candidate === null) return 'n/a';
  if (m.change_pct === null) return m.base === 0 ? 'new' : 'n/a';
  return `${signed(m.change_pct, 1)}%`;
}

function interval(ci: ConfidenceInterval | null): string {
  if (!ci) return '-';
  if (ci.scale === 'absolute_pp') return `[${signed(ci.low, 2)}, ${signed(ci.high, 2)}] pp`;
  return `[${signed(ci.low, 1)}%, ${signed(ci.high, 1)}%]`;
}

function signed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+inf' : '-inf';
  const t = x.toFixed(digits);
  return Number(t) === 0 ? (0).toFixed(digits) : x > 0 ? `+${t}` : t;
}
