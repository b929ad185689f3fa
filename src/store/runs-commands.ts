/**
 * The `inferscope runs ...` commands as functions over a RunStore. Each returns the text to
 * print and never writes to the console itself.
 */
import { StoreError } from './errors.js';
import { formatLabels } from './labels.js';
import { SUMMARY_DISTRIBUTIONS, SUMMARY_PATHS, formatNumber, pathValue, pickNumber } from './summary-fields.js';
import { keyValueLines, textTable } from './text-table.js';
import type { RunFilter, RunRow, RunStore } from './types.js';

export { parseLabel, parseLabels } from './labels.js';

/** Version of the `runs export --format json` document layout. */
export const RUN_EXPORT_FORMAT = 'inferscope-run-export/1';

/** "2026-01-02 13:45:06" (UTC) from an ISO timestamp. */
function shortTime(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

function requestCount(run: RunRow): number {
  return pickNumber(run.summary, ...SUMMARY_PATHS.requestsTotal) ?? run.request_count;
}

/**
 * Lists runs (newest first) as a table.
 * @example runsList(store, { labels: { gpu: 'h100' }, limit: 20 })
 */
export async function runsList(store: RunStore, filter: RunFilter = {}): Promise<string> {
  const runs = await store.listRuns(filter);
  if (runs.length === 0) return 'No runs found.';
  const rows = runs.map((run) => [
    run.id,
    shortTime(run.created_at),
    run.status,
    run.environment.target_url ?? '-',
    run.environment.model_id ?? '-',
    loadOf(run.config),
    workloadOf(run.config),
    [formatLabels(run.labels), ...run.baselines.map((b) => `baseline:${b}`)].filter(Boolean).join(' ') || '-',
    String(requestCount(run)),
    formatNumber(pickNumber(run.summary, ...SUMMARY_PATHS.ttftP50), 1),
    formatNumber(pickNumber(run.summary, ...SUMMARY_PATHS.outputTokensPerS), 1),
  ]);
  const header = ['ID', 'CREATED (UTC)', 'STATUS', 'TARGET', 'MODEL', 'LOAD', 'WORKLOAD', 'LABELS', 'REQUESTS', 'TTFT P50 MS', 'OUTPUT TOK/S'];
  return textTable(header, rows, { right: [8, 9, 10] });
}

/**
 * Lists runs (newest first) as JSON for scripts: `{ "runs": [...] }`, each the stored run without its full results
 * document (`runs export` has it) and the writer's process.
 * @example JSON.parse(await runsListJson(store, { limit: 5 })).runs[0].summary.ttft_ms.p50
 */
export async function runsListJson(store: RunStore, filter: RunFilter = {}): Promise<string> {
  const runs = (await store.listRuns(filter)).map(({ results: _results, writer_pid: _pid, writer_host: _host, ...run }) => run);
  return JSON.stringify({ runs }, null, 2);
}

/** "c=8" for a closed loop, "10 req/s" for an open one, from the run's stored options. */
function loadOf(config: unknown): string {
  const c = (config ?? {}) as { concurrency?: unknown; rate?: unknown };
  if (typeof c.rate === 'number') return `${formatNumber(c.rate, c.rate < 10 ? 2 : 1)} req/s`;
  if (typeof c.concurrency === 'number') return `c=${c.concurrency}`;
  return '-';
}

/** "in 256 / out 128" for synthetic prompts, the dataset's file name otherwise. */
function workloadOf(config: unknown): string {
  const c = (config ?? {}) as { dataset?: unknown; inputTokens?: unknown; outputTokens?: unknown };
  if (typeof c.dataset === 'string') return c.dataset.split(/[\\/]/).pop() ?? c.dataset;
  if (c.inputTokens === undefined && c.outputTokens === undefined) return '-';
  return `in ${String(c.inputTokens ?? '-')} / out ${String(c.outputTokens ?? '-')}`;
}

function distributionLine(summary: unknown, key: string): string | null {
  const count = pickNumber(summary, `${key}.count`);
  if (count === null) return null;
  if (count === 0) return 'n=0';
  const stats = ['mean', 'p50', 'p90', 'p95', 'p99', 'max'].map((stat) => `${stat} ${formatNumber(pickNumber(summary, `${key}.${stat}`), 2)}`);
  return `${stats.join('  ')}  (n=${count})`;
}

function summaryLines(summary: unknown): string {
  const num = (paths: readonly string[], decimals: number): string => formatNumber(pickNumber(summary, ...paths), decimals);
  const pairs: [string, string][] = [];
  pairs.push(['window', `${num(SUMMARY_PATHS.windowS, 2)} s`]);
  const errorRate = pickNumber(summary, ...SUMMARY_PATHS.errorRate);
  pairs.push([
    'requests',
    `${num(SUMMARY_PATHS.requestsTotal, 0)} total, ${num(SUMMARY_PATHS.requestsSucceeded, 0)} succeeded, ` +
      `${num(SUMMARY_PATHS.requestsFailed, 0)} failed (error rate ${errorRate === null ? '-' : `${(errorRate * 100).toFixed(2)}%`})`,
  ]);
  for (const [title, key] of SUMMARY_DISTRIBUTIONS) {
    const line = distributionLine(summary, key);
    if (line !== null) pairs.push([`${title} ms`, line]);
  }
  pairs.push([
    'throughput',
    `${num(SUMMARY_PATHS.requestsPerS, 2)} req/s, ${num(SUMMARY_PATHS.outputTokensPerS, 1)} output tok/s, ` +
      `${num(SUMMARY_PATHS.totalTokensPerS, 1)} total tok/s`,
  ]);
  const attainment = pickNumber(summary, ...SUMMARY_PATHS.attainment);
  if (attainment !== null) {
    pairs.push(['goodput', `${num(SUMMARY_PATHS.goodputPerS, 2)} req/s, SLO attainment ${(attainment * 100).toFixed(1)}%`]);
  }
  const byClass = pathValue(summary, 'errors.by_class');
  if (byClass !== null && typeof byClass === 'object' && Object.keys(byClass).length > 0) {
    pairs.push(['errors', Object.entries(byClass).map(([cls, n]) => `${cls} ${String(n)}`).join(', ')]);
  }
  const reasons = pathValue(summary, 'fidelity.invalid_reasons');
  if (Array.isArray(reasons) && reasons.length > 0) pairs.push(['invalid because', reasons.map(String).join('; ')]);
  return keyValueLines(pairs, '  ');
}

/** The run's stored options (already redacted), one `key  value` line each, for `runs show`. */
function configLines(config: unknown): string {
  if (config === null || typeof config !== 'object') return '  (not recorded)';
  const pairs = Object.entries(config as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0))
    .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]);
  return pairs.length > 0 ? keyValueLines(pairs, '  ') : '  (empty)';
}

/**
 * Shows one run: metadata, then the key summary figures, as aligned text; with `json`, the stored run as it is
 * (results document included) with its stored requests counted.
 * @example runsShow(store, 'main') // by baseline name
 */
export async function runsShow(store: RunStore, ref: string, options: { json?: boolean } = {}): Promise<string> {
  const run = await store.getRun(ref);
  let ok = 0;
  let failed = 0;
  let warmup = 0;
  for await (const record of store.iterateRequests(run.id)) {
    if (record.warmup) warmup++;
    else if (record.ok) ok++;
    else failed++;
  }
  if (options.json) return JSON.stringify({ ...run, stored_requests: { ok, failed, warmup } }, null, 2);
  const env = run.environment;
  const engine = env.engine ? `${String(env.engine)}${env.engine_version ? ` ${String(env.engine_version)}` : ''}` : '-';
  const pairs: [string, string][] = [
    ['run', run.id],
    ['status', run.status],
    ['created', `${shortTime(run.created_at)} UTC`],
    ['finished', run.finished_at === null ? '-' : `${shortTime(run.finished_at)} UTC`],
    ['target', env.target_url ?? '-'],
    ['model', env.model_id ?? '-'],
    ['engine', engine],
    ['tool', `inferscope ${env.tool_version ?? '?'} on ${env.host ?? '?'}`],
    ['labels', formatLabels(run.labels) || '-'],
    ['baselines', run.baselines.join(', ') || '-'],
  ];
  if (run.note) pairs.push(['note', run.note]);
  pairs.push(['load', loadOf(run.config)]);
  pairs.push(['workload', workloadOf(run.config)]);
  pairs.push(['stored requests', `${run.request_count} (${ok} ok, ${failed} failed, ${warmup} warm-up)`]);
  const parts = [keyValueLines(pairs)];
  parts.push(run.summary === null ? '\nNo summary (the run did not finish).' : `\nSummary\n${summaryLines(run.summary)}`);
  parts.push(`\nConfiguration\n${configLines(run.config)}`);
  return parts.join('\n');
}

/**
 * Exports a run as JSON: the run row, its request records and server samples (one record per line, so large
 * exports stay diff- and grep-friendly). The CSV export is the report's per-request CSV (report/html).
 * @example writeFileSync('run.json', runsExport(store, 'abc', 'json'))
 */
export async function runsExport(store: RunStore, ref: string, format: 'json'): Promise<string> {
  const run = await store.getRun(ref);
  if (format !== 'json') throw new StoreError('invalid_input', `export format must be json, got "${String(format)}"`);
  const list = (items: Iterable<unknown>): string => {
    const lines: string[] = [];
    for (const item of items) lines.push(`    ${JSON.stringify(item)}`);
    return lines.length === 0 ? '[]' : `[\n${lines.join(',\n')}\n  ]`;
  };
  const runJson = JSON.stringify(run, null, 2).replaceAll('\n', '\n  ');
  return (
    `{\n  "format": ${JSON.stringify(RUN_EXPORT_FORMAT)},\n  "run": ${runJson},\n` +
    `  "requests": ${list(await store.getRequests(run.id))},\n` +
    `  "server_samples": ${list(await store.getServerSamples(run.id))}\n}\n`
  );
}

/**
 * Deletes a run with all its records. Refuses a run that is still being written unless `force`.
 * @example runsDelete(store, '7k2q') // "Deleted run 7k2q9xw0ma (120 requests)."
 */
export async function runsDelete(store: RunStore, ref: string, options: { force?: boolean } = {}): Promise<string> {
  const run = await store.getRun(ref);
  if (run.status === 'running' && !options.force) {
    throw new StoreError(
      'invalid_input',
      `run ${run.id} is still running (writer pid ${run.writer_pid ?? '?'} on ${run.writer_host ?? '?'}); stop it first, or delete it anyway with --force`,
    );
  }
  await store.deleteRun(run.id);
  const baselines = run.baselines.length > 0 ? `; removed baseline ${run.baselines.join(', ')}` : '';
  return `Deleted run ${run.id} (${run.request_count} requests${baselines}).`;
}

/**
 * Names a run as a baseline (moving the name if another run had it).
 * @example runsTag(store, '7k2q', 'main') // "Run 7k2q9xw0ma is now baseline \"main\"."
 */
export async function runsTag(store: RunStore, ref: string, baseline: string): Promise<string> {
  const run = await store.getRun(ref);
  const { previous } = await store.tagBaseline(run.id, baseline);
  const moved = previous === null ? '' : ` (moved from run ${previous})`;
  return `Run ${run.id} is now baseline "${baseline}"${moved}.`;
}
