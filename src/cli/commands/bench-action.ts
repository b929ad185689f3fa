import { isPostgresUrl, redactPgUrl } from '../../store/postgres/pg-url.js';
import { runBenchmark } from '../../benchmark/run-benchmark.js';
import type { BenchmarkOptions } from '../../benchmark/options.js';
import type { BenchmarkEvent } from '../../benchmark/events.js';
import { resolveBenchmarkConfig } from '../../benchmark/resolve-config.js';
import { createProgressRenderer } from '../../report/progress.js';
import { formatSummary } from '../../report/console.js';
import { EXIT } from '../exit-codes.js';
import { defaultDbPath } from '../../store/default-path.js';
import { assertWritableFile } from '../../config/writable-path.js';

/**
 * The bench command: progress on stderr (TTY only), the summary on stdout (stderr with --json, where stdout
 * carries only the results JSON). First Ctrl-C stops sending and still writes results; a second one exits at once.
 */
export async function runBenchCommand(options: BenchmarkOptions, io: { json: boolean; color: boolean; html?: string; csv?: string }): Promise<number> {
  const config = resolveBenchmarkConfig(options); // fail fast on bad input, before engines or sockets
  if (io.html) assertWritableFile(io.html, '--html');
  if (io.csv) assertWritableFile(io.csv, '--csv');
  const stderr = process.stderr;
  const progress = stderr.isTTY
    ? createProgressRenderer({ stream: stderr, totalRequests: config.limits.requests, durationS: config.limits.durationS })
    : null;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      stderr.write('\nstopping: requests in flight are aborted (counted as cut off); the results so far are written (Ctrl-C again to quit now)\n');
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const onEvent = (e: BenchmarkEvent): void => {
    progress?.listener(e);
    if (e.type === 'warning') writeLine(stderr, progress !== null, `warning: ${e.message}`);
    if (e.type === 'info' && !io.json) writeLine(stderr, progress !== null, e.message);
    if (e.type === 'phase' && e.phase === 'starting-engine' && !io.json) {
      writeLine(stderr, progress !== null, `starting the embedded engine (${e.detail ?? ''})...`);
    }
    if (e.type === 'target' && !io.json) {
      const scrape = e.metricsUrls.length > 0 ? `, scraping ${e.metricsUrls.join(', ')}` : '';
      writeLine(stderr, progress !== null, `target ${e.url} model ${e.model}${e.embedded ? ' (embedded engine)' : ''}${scrape}`);
    }
  };
  try {
    const result = await runBenchmark(options, { onEvent, signal: controller.signal });
    progress?.stop();
    const text = formatSummary(result.results, { color: io.color && !io.json && !!process.stdout.isTTY });
    if (io.json) {
      stderr.write(text + '\n');
      process.stdout.write(JSON.stringify(result.results, null, 2) + '\n');
    } else {
      process.stdout.write(text + '\n');
    }
    if (io.html || io.csv) {
      const { writeHtmlReport, writeReportCsv } = await import('../../report/html/index.js');
      const run = { label: result.results.run.id, results: result.results, records: result.records };
      if (io.html) {
        const { bytes } = writeHtmlReport([run], io.html);
        stderr.write(`wrote ${io.html} (${(bytes / 1e6).toFixed(2)} MB)\n`);
      }
      if (io.csv) {
        writeReportCsv([run], io.csv);
        stderr.write(`wrote ${io.csv}\n`);
      }
    }
    const outcome = result.results.summary.outcome;
    if (outcome?.failed && io.json) stderr.write(`run failed: ${outcome.reason}\n`);
    const url = options.url;
    if (outcome?.failed && url && !/\/v1\/?$/.test(url) && /HTTP 404/.test(result.results.summary.errors.examples?.http_4xx ?? '')) {
      stderr.write(`hint: the URL has no /v1; OpenAI-compatible servers answer under it: --url ${url.replace(/\/+$/, '')}/v1\n`);
    }
    if (!io.json) stderr.write(nextStep(result.results.run.id, options) + '\n');
    if (!result.thresholdsPassed || outcome?.failed) return EXIT.gate;
    if (result.status === 'interrupted') return 130;
    return EXIT.ok;
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** Where the run was kept and what to run next. */
function nextStep(id: string, options: BenchmarkOptions): string {
  const ref = options.db ? id : options.outDir;
  if (!ref) return 'not recorded (--no-db and no --out): add --out DIR or --db FILE to keep runs for report and compare';
  // A PostgreSQL URL is shown without its password (the user has it in --db or $INFERSCOPE_DB).
  const shown = options.db && isPostgresUrl(options.db) ? redactPgUrl(options.db) : options.db;
  const db = options.db && options.db !== defaultDbPath() ? ` --db ${shown}` : '';
  const where = options.db ? `run ${id} in ${shown}` : `results in ${options.outDir}`;
  return `saved ${where}; next: inferscope report ${ref}${db} --html report.html, or inferscope compare BASELINE ${ref}${db}`;
}

function writeLine(stream: NodeJS.WriteStream, clearFirst: boolean, text: string): void {
  stream.write((clearFirst ? '\r\x1b[K' : '') + text + '\n');
}
