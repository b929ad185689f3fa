/**
 * The one per-request CSV (bench --csv, report --csv, runs export --format csv): the run, the recorded fields,
 * then the derived latencies, times rounded to the microsecond. Warm-up rows are included and marked.
 */
import { writeFileSync } from 'node:fs';
import type { RequestRecord } from '../../measure/record.js';
import { e2eMs, outputTokens, tpotMs, ttftMs } from '../../stats/request-metrics.js';
import type { ReportRun } from './chart-data.js';

export const REPORT_CSV_COLUMNS = [
  'run',
  'index',
  'warmup',
  'ok',
  'error_class',
  'http_status',
  'finish_reason',
  't_sched',
  't_send',
  't_written',
  't_headers',
  't_first_chunk',
  't_last_chunk',
  't_end',
  'chunks',
  'input_tokens',
  'output_tokens',
  'input_tokens_source',
  'output_tokens_source',
  'retries',
  'ttft_ms',
  'tpot_ms',
  'e2e_ms',
  'output_tokens_n',
  'error_message',
] as const;

/** RFC 4180 quoting: only when the field holds a comma, quote, CR or LF. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(Math.round(value * 1000) / 1000);
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (without the line break) in REPORT_CSV_COLUMNS order. */
export function requestCsvRow(run: string, r: RequestRecord): string {
  const first = r.chunks[0];
  const last = r.chunks[r.chunks.length - 1];
  const fields = [
    run,
    r.index,
    r.warmup,
    r.ok,
    r.error?.class ?? null,
    r.http_status,
    r.finish_reason,
    r.t_sched,
    r.t_send,
    r.t_written ?? null,
    r.t_headers,
    first?.t ?? null,
    last?.t ?? null,
    r.t_end,
    r.chunks.length,
    r.input_tokens,
    r.output_tokens,
    r.input_tokens_source,
    r.output_tokens_source,
    r.retries ?? 0,
    r.ok ? ttftMs(r) : null,
    r.ok ? tpotMs(r) : null,
    r.ok ? e2eMs(r) : null,
    outputTokens(r).count,
    r.error?.message ?? null,
  ];
  return fields.map(csvField).join(',');
}

/**
 * The CSV text (header line, then one line per record of every run). Derived latencies are empty where
 * undefined (failed requests, n/a TPOT).
 *
 * @example writeFileSync('requests.csv', reportCsv([{ label: 'a', records }]))
 */
export function reportCsv(runs: ReadonlyArray<{ label: string; records: Iterable<RequestRecord> }>): string {
  const lines = [REPORT_CSV_COLUMNS.join(',')];
  for (const run of runs) for (const r of run.records) lines.push(requestCsvRow(run.label, r));
  return `${lines.join('\n')}\n`;
}

/** Writes reportCsv(runs) to `path`; returns the number of request rows. */
export function writeReportCsv(runs: readonly Pick<ReportRun, 'label' | 'records'>[], path: string): number {
  writeFileSync(path, reportCsv(runs));
  return runs.reduce((sum, run) => sum + run.records.length, 0);
}
