/** One CSV row per request of one or more runs, for spreadsheets: the raw columns plus derived latencies. */
import { writeFileSync } from 'node:fs';
import { REQUEST_CSV_COLUMNS, csvField, requestCsvRow } from '../../store/request-csv.js';
import { e2eMs, outputTokens, tpotMs, ttftMs } from '../../stats/request-metrics.js';
import type { ReportRun } from './chart-data.js';

/** Columns: run label, the store's raw request columns, then ttft_ms, tpot_ms, e2e_ms, output_tokens_n. */
export const REPORT_CSV_COLUMNS = ['run', ...REQUEST_CSV_COLUMNS, 'ttft_ms', 'tpot_ms', 'e2e_ms', 'output_tokens_n'] as const;

/**
 * The CSV text (header line, then one line per record of every run, warm-up included and marked).
 * Derived latencies are empty where undefined (failed requests, n/a TPOT).
 *
 * @example writeFileSync('requests.csv', reportCsv([{ label: 'a', results, records }]))
 */
export function reportCsv(runs: readonly Pick<ReportRun, 'label' | 'records'>[]): string {
  const lines = [REPORT_CSV_COLUMNS.join(',')];
  for (const run of runs) {
    const label = csvField(run.label);
    for (const r of run.records) {
      const derived = r.ok ? [ttftMs(r), tpotMs(r), e2eMs(r), outputTokens(r).count] : [null, null, null, outputTokens(r).count];
      lines.push(`${label},${requestCsvRow(r)},${derived.map(csvField).join(',')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}


/** Writes reportCsv(runs) to `path`; returns the number of request rows. */
export function writeReportCsv(runs: readonly Pick<ReportRun, 'label' | 'records'>[], path: string): number {
  writeFileSync(path, reportCsv(runs));
  return runs.reduce((sum, run) => sum + run.records.length, 0);
}
