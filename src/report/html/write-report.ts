/** Writing the HTML report to a file (for `report --html` and `bench --html`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderHtmlReport, type HtmlReportOptions } from './render-html.js';
import type { ReportRun } from './chart-data.js';

/**
 * Renders the runs and writes the page to `path` (creating its folder). Returns the bytes written.
 *
 * @example writeHtmlReport([{ label: result.results.run.id, results: result.results, records: result.records }], 'report.html')
 */
export function writeHtmlReport(runs: readonly ReportRun[], path: string, options: HtmlReportOptions = {}): { bytes: number } {
  const html = renderHtmlReport(runs, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return { bytes: Buffer.byteLength(html) };
}
