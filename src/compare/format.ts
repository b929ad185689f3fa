/**
 * The comparison as terminal text. Returns a string and never writes; the CLI decides where it goes.
 */
import { textTable } from '../store/text-table.js';
import type { CompareReport, ConfidenceInterval, MetricComparison, Verdict } from './types.js';

export interface FormatCompareOptions {
  /** ANSI colors; only when the caller knows the output is a terminal. */
  color: boolean;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  improved: 'improved',
  regressed: 'REGRESSED',
  no_significant_change: 'no significant change',
  'n/a': 'n/a',
};

/**
 * Formats a report: header, table (metric, base, candidate, change, interval, verdict), a tally, fairness
 * warnings, per-metric notes and the method.
 *
 * @example process.stdout.write(formatCompare(report, { color: process.stdout.isTTY }) + '\n')
 */
export function formatCompare(report: CompareReport, options: FormatCompareOptions): string {
  const c = palette(options.color);
  const lines: string[] = [];
  const ref = (r: CompareReport['base']): string => `${r.label}${r.status === 'completed' ? '' : ` [${r.status}]`}`;
  lines.push(`${c.bold('inferscope compare')}  base ${ref(report.base)}  vs  candidate ${ref(report.candidate)}`);
  lines.push('');

  const level = `${Math.round(report.confidence * 1000) / 10}% CI`;
  const rows = report.metrics.map((m) => [
    `${m.label}${unitSuffix(m)}`,
    value(m, m.base),
    value(m, m.candidate),
    change(m),
    interval(m.ci),
    verdictText(m),
  ]);
  const table = textTable(['metric', 'base', 'candidate', 'change', level, 'verdict'], rows, { right: [1, 2, 3] }).split('\n');
  lines.push(c.bold(table[0]!));
  report.metrics.forEach((m, i) => lines.push(colorRow(table[i + 1]!, m.verdict, c)));
  lines.push('');

  const count = (v: Verdict): number => report.metrics.filter((m) => m.verdict === v).length;
  const tally = [
    report.regressed.length > 0 ? c.red(`${report.regressed.length} regressed (${report.regressed.join(', ')})`) : '0 regressed',
    report.improved.length > 0 ? c.green(`${report.improved.length} improved (${report.improved.join(', ')})`) : '0 improved',
    `${count('no_significant_change')} no significant change`,
    `${count('n/a')} n/a`,
  ];
  lines.push(tally.join(', '));
  const k = report.consistency;
  if (k) {
    lines.push(
      `answers: ${(100 * k.identical).toFixed(1)}% identical over ${k.pairs} prompts answered in both runs; similarity (ROUGE-L) mean ${k.similarity.mean.toFixed(3)}, p50 ${k.similarity.p50.toFixed(3)}, p10 ${k.similarity.p10.toFixed(3)}`,
    );
  }

  if (report.warnings.length > 0) {
    lines.push('');
    lines.push(c.yellow(`fairness warnings (${report.warnings.length}): the runs differ, so differences may not be the system's`));
    for (const w of report.warnings) lines.push(c.yellow(`  - ${w.message}`));
  }
  const noted = report.metrics.filter((m) => m.note);
  if (noted.length > 0 || report.notes.length > 0) {
    lines.push('');
    lines.push('notes:');
    for (const n of report.notes) lines.push(`  - ${n}`);
    for (const m of noted) lines.push(`  - ${m.label}: ${m.note}`);
  }
  lines.push('');
  lines.push(c.dim('method:'));
  for (const s of report.method) lines.push(c.dim(`  ${s}`));
  lines.push(c.dim(`  seed ${report.seed}; change = candidate / base - 1; lower is better for latency and error rate, higher for throughput and goodput.`));
  return lines.join('\n');
}

function unitSuffix(m: MetricComparison): string {
  return m.unit === 'ms' ? ' (ms)' : m.unit === '%' ? ' (%)' : ` (${m.unit})`;
}

function value(m: MetricComparison, v: number | null): string {
  if (v === null) return 'n/a';
  if (m.unit === '%') return (v * 100).toFixed(2);
  return num(v);
}

function num(v: number): string {
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 100) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function change(m: MetricComparison): string {
  if (m.base === null || m.candidate === null) return 'n/a';
  if (m.change_pct === null) return m.base === 0 ? 'new' : 'n/a';
  return signed(m.change_pct, 1) + '%';
}

function interval(ci: ConfidenceInterval | null): string {
  if (!ci) return '-';
  if (ci.scale === 'absolute_pp') return `[${signed(ci.low, 2)}, ${signed(ci.high, 2)}] pp`;
  return `[${signed(ci.low, 1)}%, ${signed(ci.high, 1)}%]`;
}

function signed(x: number, digits: number): string {
  const t = x.toFixed(digits);
  return x > 0 && Number(t) !== 0 ? `+${t}` : Number(t) === 0 ? (0).toFixed(digits) : t;
}

type Palette = Record<'bold' | 'dim' | 'red' | 'green' | 'yellow', (s: string) => string>;

function palette(color: boolean): Palette {
  const wrap = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33') };
}

/** The verdict, saying so when only the client's own timing noise kept a change from being called. */
function verdictText(m: CompareReport['metrics'][number]): string {
  if (m.verdict === 'no_significant_change' && m.note?.includes("client's timing noise") && m.noise_floor_ms !== undefined) {
    return `within client timing noise (${m.noise_floor_ms >= 10 ? m.noise_floor_ms.toFixed(1) : m.noise_floor_ms.toFixed(2)} ms)`;
  }
  return VERDICT_TEXT[m.verdict];
}

function colorRow(row: string, verdict: Verdict, c: Palette): string {
  if (verdict === 'regressed') return c.red(row);
  if (verdict === 'improved') return c.green(row);
  if (verdict === 'n/a') return c.dim(row);
  return row;
}
