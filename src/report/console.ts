/**
 * Human-readable run summary for the terminal. Returns a string and never writes, so the CLI decides
 * where it goes and reports can re-render stored results.
 */
import { findingLines } from '../results/format-findings.js';
import { formatServerSection } from './console-server.js';
import type { ServerResults } from '../server-metrics/server-results.js';
import type { ThresholdResult } from '../config/threshold.js';
import { formatSlo } from '../config/slo.js';
import type { Distribution } from '../stats/percentiles.js';
import type { ResultsDocument } from '../results/results-document.js';

export interface FormatOptions {
  /** ANSI colors; only when the caller knows the output is a terminal. */
  color: boolean;
}

const COLUMNS = ['count', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

const DEFINITIONS = [
  'TTFT = first token-bearing chunk - send.  TPOT = (t_last - t_first) / (N - n1) (vLLM TPOT; AIPerf/GuideLLM "ITL").',
  'ITL = gap between consecutive chunks (one sample per gap).  E2E = last chunk - send.  Latencies over succeeded requests.',
];

/**
 * Formats the results as a compact table plus throughput, goodput, errors, finish reasons, fidelity
 * and threshold lines.
 *
 * @example process.stdout.write(formatSummary(results, { color: process.stdout.isTTY }))
 */
export function formatSummary(results: ResultsDocument, options: FormatOptions): string {
  const c = palette(options.color);
  const s = results.summary;
  const run = results.run;
  const lines: string[] = [];

  const status = run.status === 'completed' ? c.green(run.status) : c.red(run.status.toUpperCase());
  lines.push(`${c.bold('inferscope')} run ${run.id}  ${status}  ${run.target.model} @ ${run.target.url} (${run.target.api})`);
  const errorRate = s.errors.error_rate;
  const errText = `error rate ${pct(errorRate)} (${s.requests.failed} of ${s.requests.total} failed)`;
  lines.push(
    `window ${num(s.window_s, 2)} s  requests ${s.requests.total}: ${s.requests.succeeded} ok, ` +
      (s.requests.failed > 0 ? c.red(`${s.requests.failed} failed`) : '0 failed') +
      (s.requests.cut_off > 0 ? c.yellow(`  (${s.requests.cut_off} cut off by the client, not counted)`) : ''),
  );
  if (s.outcome?.failed) lines.push(c.red(`RUN FAILED: ${s.outcome.reason}`));
  lines.push('');

  // Latency table; the error rate sits right under it because percentiles of survivors alone mislead.
  const rows: Array<[string, Distribution]> = [
    ['TTFT', s.ttft_ms],
    ['TPOT', s.tpot_ms],
    ['ITL', s.itl_ms],
    ['E2E', s.e2e_ms],
  ];
  if (s.ttfo_ms) rows.push(['TTFO', s.ttfo_ms]);
  const table = [['latency (ms)', ...COLUMNS], ...rows.map(([name, d]) => [name, ...COLUMNS.map((k) => cell(d, k))])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] as string).length)));
  table.forEach((r, ri) => {
    const text = r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
    lines.push(ri === 0 ? c.bold(text) : text);
  });
  lines.push((s.requests.failed > 0 ? c.yellow : c.dim)(errText));
  const w = s.client_write_ms;
  if (w && w.count > 0) {
    lines.push(c.dim(`client share of TTFT: request written ${num(w.p50, 2)} ms (p50), ${num(w.p99, 2)} ms (p99) after send`));
  }
  const u = s.fidelity?.timing_uncertainty_ms;
  if (u !== undefined) {
    const tone = s.fidelity?.status === 'invalid' ? c.red : s.fidelity?.status === 'degraded' ? c.yellow : c.dim;
    lines.push(tone(`timestamps +/- ${num(u, 1)} ms (client event-loop delay p99 while streaming)`));
  }
  if (s.percentile_relative_error !== undefined) {
    const kept = String((run.config as { records?: unknown } | null)?.records ?? 'none');
    lines.push(c.dim(`percentiles from HDR histograms of every request (within ${num(s.percentile_relative_error * 100, 1)}%); per-request records kept: ${kept}`));
  }
  if (s.tpot_na > 0) lines.push(c.dim(`TPOT n/a for ${s.tpot_na} request(s) (N - n1 < 1), excluded from TPOT`));
  lines.push('');

  const t = s.throughput;
  lines.push(
    `throughput   ${num(t.requests_per_s, 2)} req/s   ${num(t.output_tokens_per_s, 1)} output tok/s   ` +
      `${num(t.total_tokens_per_s, 1)} total tok/s   ` +
      (t.peak_output_tokens_per_s !== null
        ? `peak ${num(t.peak_output_tokens_per_s, 0)} output tok/s (1 s buckets)`
        : c.dim('no peak rate (window under one 1 s bucket)')),
  );
  lines.push(`concurrency  mean ${num(t.concurrency.mean, 2)}   max ${num(t.concurrency.max, 0)}`);
  lines.push(
    `tokens       input ${s.tokens.input.total} ${sources(s.tokens.input.sources)}   ` +
      `output ${s.tokens.output.total} ${sources(s.tokens.output.sources)}` +
      (s.tokens.mean_input_per_request != null && s.tokens.mean_output_per_request != null
        ? `   per request: input ${num(s.tokens.mean_input_per_request, 1)}, output ${num(s.tokens.mean_output_per_request, 1)}`
        : '') +
      (s.tokens.failed.requests > 0
        ? `   failed requests: input ${s.tokens.failed.input}, output ${s.tokens.failed.output} (not in totals)`
        : ''),
  );
  if (s.goodput.slo) {
    const g = s.goodput;
    lines.push(
      `goodput      ${num(g.requests_per_s, 2)} req/s   attainment ${pct(g.attainment)} (${g.good}/${s.requests.total})` +
        `   SLO ${formatSlo(g.slo as NonNullable<typeof g.slo>)}${g.tpot_na_is_good ? ' (TPOT n/a counts as good)' : ''}`,
    );
  }
  if (s.cost) {
    lines.push(
      `cost         total ${num(s.cost.total, 4)}   per request ${num(s.cost.per_request, 6)}   ` +
        `per 1M output tok ${num(s.cost.per_1m_output_tokens, 4)}` +
        (s.cost.per_good_request !== null ? `   per good request ${num(s.cost.per_good_request, 6)}` : ''),
    );
  }
  const errorClasses = Object.entries(s.errors.by_class);
  if (errorClasses.length > 0) {
    lines.push(c.yellow(`errors       ${errorClasses.map(([k, v]) => `${k} ${v}`).join(', ')}`));
    for (const [cls, message] of Object.entries(s.errors.examples ?? {})) lines.push(c.yellow(`  first ${cls}: ${printable(message)}`));
  }
  const retried = s.requests.retried ?? 0;
  if (results.run.target.connections === 'per_request' && retried === 0) {
    lines.push('connections  one per request: the server closes each connection after a streamed answer (seen before the run), so every TTFT includes a TCP connect');
  }
  if (retried > 0) {
    lines.push(
      c.yellow(
        `connections  the server closed ${retried} reused connection${retried === 1 ? '' : 's'} before answering (no Connection: close); ` +
          'those requests were sent once more, and every later request opened its own connection',
      ),
    );
  }
  const reasons = Object.entries(s.finish_reasons);
  if (reasons.length > 0) lines.push(`finish       ${reasons.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const conv = s.sessions;
  if (conv) {
    const turns = conv.per_turn.map((t) => `${t.turn + 1}: ${t.ttft_p50_ms === null ? '-' : t.ttft_p50_ms.toFixed(1)}`).join('  ');
    const share = conv.history_share === null ? '' : `; history ${(100 * conv.history_share).toFixed(0)}% of prompt tokens`;
    const cost = conv.cost_per_conversation === null ? '' : `; $${conv.cost_per_conversation.toPrecision(3)} per conversation`;
    lines.push(`sessions     ${conv.conversations} conversations of ${conv.turns} turns (${conv.completed} complete)${share}${cost}`);
    lines.push(`  TTFT p50 by turn (ms)  ${turns}`);
  }
  const q = s.quality;
  if (q) {
    lines.push(
      `quality      exact match ${(100 * q.exact_match.mean).toFixed(1)}%   F1 ${q.f1.mean.toFixed(3)}   ROUGE-L ${q.rouge_l.mean.toFixed(3)}   (${q.requests} answers scored against the dataset's references)`,
    );
  }

  const f = s.fidelity;
  if (f) {
    const status = f.status ?? (f.valid ? 'valid' : 'invalid');
    const head = status === 'valid' ? c.green('valid') : status === 'degraded' ? c.yellow('DEGRADED') : c.red('INVALID');
    lines.push(
      `fidelity     ${head}   achieved ${num(f.achieved_rate, 2)} req/s` +
        (f.target_rate !== null ? ` (target ${num(f.target_rate, 2)})` : '') +
        `   schedule lag p50 ${num(f.schedule_lag_ms.p50, 1)} ms p99 ${num(f.schedule_lag_ms.p99, 1)} ms` +
        `   event loop p99 ${num(f.event_loop_lag_ms.p99, 1)} ms   late ${f.late_requests}` +
        `   client cpu ${pct(f.client_cpu)}`,
    );
    for (const reason of f.invalid_reasons) lines.push(c.red(`  - ${reason}`));
    for (const reason of f.degraded_reasons ?? []) lines.push(c.yellow(`  - ${reason}`));
  }
  if (s.saturation?.saturated) lines.push(c.red(`SERVER SATURATED: ${s.saturation.reason}`));

  if (results.server) {
    lines.push('');
    lines.push(...formatServerSection(results.server as ServerResults, c));
  }

  if (results.diagnosis && results.diagnosis.findings.length > 0) {
    lines.push('');
    lines.push(...findingLines(results.diagnosis.findings, { good: c.green, warn: c.yellow, dim: c.dim }));
  }

  if (results.thresholds) {
    const th = results.thresholds;
    lines.push('');
    lines.push(`thresholds   ${th.passed ? c.green('PASS') : c.red('FAIL')}`);
    for (const r of th.results) lines.push(`  ${r.ok ? c.green('pass') : c.red('FAIL')}  ${thresholdLine(r)}`);
  }
  lines.push('');
  for (const d of DEFINITIONS) lines.push(c.dim(d));
  return lines.join('\n') + '\n';
}

function thresholdLine(r: ThresholdResult): string {
  const digits = r.unit === 'count' ? 0 : r.unit === 'per_s' ? 2 : 4;
  const actual = r.actual === null ? 'n/a' : r.unit === 'ms' ? `${ms(r.actual)} ms` : num(r.actual, digits);
  return `${r.expr}  (actual ${actual}${r.reason ? `; ${r.reason}` : ''})`;
}

function cell(d: Distribution, key: (typeof COLUMNS)[number]): string {
  if (key === 'count') return String(d.count);
  return ms(d[key]);
}

/** Latency in ms: more decimals for small values so sub-ms gaps stay visible. */
function ms(v: number | null): string {
  if (v === null) return '-';
  const digits = Math.abs(v) < 10 ? 2 : Math.abs(v) < 1000 ? 1 : 0;
  return v.toFixed(digits);
}

function num(v: number | null, digits: number): string {
  return v === null ? 'n/a' : v.toFixed(digits);
}

function pct(v: number | null): string {
  return v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`;
}

function sources(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
}

type Paint = (text: string) => string;

function palette(color: boolean): Record<'bold' | 'dim' | 'red' | 'green' | 'yellow', Paint> {
  const wrap = (open: number, close: number): Paint =>
    color ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

/** Server text is untrusted: control characters (terminal escapes, line breaks) become spaces. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
