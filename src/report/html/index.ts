/** The self-contained HTML report and per-request CSV: render, write, and load runs to report on. */
export { renderHtmlReport, type HtmlReportOptions, type ReportRun, type CompareTable } from './render-html.js';
export { writeHtmlReport } from './write-report.js';
export { pageData, runCharts, type PageData, type RunCharts } from './chart-data.js';
export { reportCsv, writeReportCsv, REPORT_CSV_COLUMNS } from './request-rows-csv.js';
export { escapeHtml, jsonForScript } from './escape.js';
