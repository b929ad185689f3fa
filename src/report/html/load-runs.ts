/**
 * Loading runs to report on: a results.json path, a `bench --out` directory (results.json + requests.jsonl),
 * or a reference into the run store (id, id prefix or baseline name). Nothing is re-run.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { RequestRecord } from '../../measure/record.js';
import { parseResultsDocument, type ResultsDocument } from '../results.js';
import type { RunStore } from '../../store/types.js';
import type { ReportRun } from './chart-data.js';

/** A run that cannot be loaded: missing file, bad JSON line, a stored run without results. */
export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface LoadRunOptions {
  /** Opens the run store for references that are not paths (called at most once per load; closed after). */
  openStore?: () => RunStore | Promise<RunStore>;
}

/**
 * Loads each reference in order. Paths win over store references; labels default to the directory name
 * (paths) or run id (store), made unique with " (2)", " (3)"...
 *
 * @example await loadReportRuns(['out/a', 'baseline'], { openStore: () => openSqliteStore(db) })
 */
export async function loadReportRuns(refs: readonly string[], options: LoadRunOptions = {}): Promise<ReportRun[]> {
  let store: RunStore | undefined;
  const runs: ReportRun[] = [];
  try {
    for (const ref of refs) {
      if (existsSync(ref)) {
        runs.push(await loadFromPath(ref));
      } else {
        if (!options.openStore) throw new ReportInputError(`${ref}: no such file or directory (and no run store to look it up in)`);
        store ??= await options.openStore();
        runs.push(loadFromStore(store, ref));
      }
    }
  } finally {
    store?.close();
  }
  return uniqueLabels(runs);
}

/** results.json (and the requests.jsonl beside it, when present) from a file or directory path. */
export async function loadFromPath(path: string): Promise<ReportRun> {
  const isDir = statSync(path).isDirectory();
  const resultsPath = isDir ? join(path, 'results.json') : path;
  const dir = isDir ? path : dirname(path);
  if (!existsSync(resultsPath)) throw new ReportInputError(`${path}: no results.json in this directory`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resultsPath, 'utf8'));
  } catch (err) {
    throw new ReportInputError(`${resultsPath}: not valid JSON`, { cause: err });
  }
  const results = parseResultsDocument(parsed, resultsPath);
  const jsonl = join(dir, 'requests.jsonl');
  const records = existsSync(jsonl) ? await readRequestsJsonl(jsonl) : [];
  return { label: basename(resolve(dir)) || results.run.id, results, records };
}

/** A stored run's results document and records. */
export function loadFromStore(store: RunStore, ref: string): ReportRun {
  const row = store.getRun(ref);
  if (row.results === null || row.results === undefined) {
    throw new ReportInputError(`run ${row.id} has no results document (status ${row.status}); only finished runs can be reported`);
  }
  const results: ResultsDocument = parseResultsDocument(row.results, `run ${row.id}`);
  return { label: row.id, results, records: store.getRequests(row.id) };
}

/** Reads requests.jsonl line by line; a line that is not a request record fails naming file and line. */
export async function readRequestsJsonl(path: string): Promise<RequestRecord[]> {
  const records: RequestRecord[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new ReportInputError(`${path}:${n}: not valid JSON`, { cause: err });
    }
    const problem = recordProblem(value);
    if (problem) throw new ReportInputError(`${path}:${n}: not a request record (${problem})`);
    records.push(value as RequestRecord);
  }
  return records;
}

function recordProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not an object';
  const r = v as Record<string, unknown>;
  for (const key of ['t_send', 't_end'] as const) if (typeof r[key] !== 'number') return `"${key}" is not a number`;
  if (typeof r.ok !== 'boolean') return '"ok" is not a boolean';
  if (!Array.isArray(r.chunks)) return '"chunks" is not an array';
  if (!r.chunks.every((c) => c !== null && typeof c === 'object' && typeof (c as { t?: unknown }).t === 'number')) {
    return 'a chunk has no numeric "t"';
  }
  return null;
}

function uniqueLabels(runs: ReportRun[]): ReportRun[] {
  const seen = new Map<string, number>();
  return runs.map((run) => {
    const n = (seen.get(run.label) ?? 0) + 1;
    seen.set(run.label, n);
    return n === 1 ? run : { ...run, label: `${run.label} (${n})` };
  });
}
