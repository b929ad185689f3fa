/**
 * Resolves what the user named as a run: a results.json path (or the directory `bench --out` wrote, with
 * requests.jsonl beside it) or a store reference (id, unambiguous id prefix, baseline name).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RequestRecord } from '../measure/record.js';
import { parseResultsDocument } from '../report/results.js';
import { summarize, type RunSummary } from '../stats/summary.js';
import { defaultDbPath, openSqliteStore } from '../store/sqlite-store.js';
import type { RunRow } from '../store/types.js';
import type { LoadedRun, RunInfo } from './types.js';

/** A run reference that cannot be loaded: missing file, bad JSON or record, no database. */
export class RunLoadError extends Error {
  override readonly name = 'RunLoadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface LoadRunOptions {
  /** SQLite file for store references; default $INFERSCOPE_DB, else the user data directory. */
  db?: string;
}

/**
 * Loads a run for comparison. Paths win over store references when both could apply.
 *
 * @example const base = await loadRun('runs/base'); const cand = await loadRun('nightly', { db: 'runs.db' });
 */
export async function loadRun(ref: string, options: LoadRunOptions = {}): Promise<LoadedRun> {
  if (existsSync(ref)) return loadFromPath(ref);
  if (/[\\/]/.test(ref) || /\.jsonl?$/i.test(ref)) throw new RunLoadError(`${ref}: no such file or directory`);
  return loadFromStore(ref, options.db ?? defaultDbPath());
}

async function loadFromPath(ref: string): Promise<LoadedRun> {
  const isDir = statSync(ref).isDirectory();
  const resultsPath = isDir ? join(ref, 'results.json') : ref;
  if (!isDir && basename(ref).endsWith('.jsonl')) {
    throw new RunLoadError(`${ref}: give the run's results.json (or its directory); requests.jsonl is read beside it`);
  }
  if (!existsSync(resultsPath)) throw new RunLoadError(`${ref}: no results.json in this directory`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resultsPath, 'utf8'));
  } catch (error) {
    throw new RunLoadError(`${resultsPath}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  let doc;
  try {
    doc = parseResultsDocument(parsed, resultsPath);
  } catch (error) {
    throw new RunLoadError((error as Error).message, { cause: error });
  }
  const results: RunInfo = {
    id: doc.run.id,
    tool_version: doc.run.tool_version,
    status: doc.run.status,
    config: doc.run.config,
    target: doc.run.target,
    summary: doc.summary,
  };
  const jsonlPath = join(dirname(resultsPath), 'requests.jsonl');
  const notes: string[] = [];
  const records = existsSync(jsonlPath) ? await readRequestsJsonl(jsonlPath, notes) : null;
  return { label: ref, source: resultsPath, results, records, notes };
}

/**
 * Reads requests.jsonl, one RequestRecord per line. A malformed last line (a writer killed mid-line) is
 * skipped with a note; a malformed line elsewhere is an error naming the line.
 */
export async function readRequestsJsonl(path: string, notes: string[] = []): Promise<RequestRecord[]> {
  const records: RequestRecord[] = [];
  let pending: { line: number; message: string } | null = null;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      if (pending) throw new RunLoadError(`${path}:${pending.line}: ${pending.message}`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        pending = { line: lineNo, message: `not valid JSON (${(error as Error).message})` };
        continue;
      }
      const problem = recordProblem(value);
      if (problem) throw new RunLoadError(`${path}:${lineNo}: not a request record: ${problem}`);
      records.push(value as RequestRecord);
    }
  } catch (error) {
    if (error instanceof RunLoadError) throw error;
    throw new RunLoadError(`${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
  if (pending) notes.push(`${path}: skipped a truncated last line (${pending.line})`);
  return records;
}

/** What is wrong with a parsed line, or null when it has the fields compare reads. */
function recordProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'expected a JSON object';
  const r = v as Record<string, unknown>;
  for (const key of ['t_send', 't_end']) {
    if (typeof r[key] !== 'number' || !Number.isFinite(r[key])) return `"${key}" must be a number`;
  }
  if (typeof r['ok'] !== 'boolean') return '"ok" must be true or false';
  if (!Array.isArray(r['chunks'])) return '"chunks" must be an array';
  for (const c of r['chunks'] as unknown[]) {
    if (c === null || typeof c !== 'object' || typeof (c as { t?: unknown }).t !== 'number') return 'every chunk needs a numeric "t"';
  }
  return null;
}

function loadFromStore(ref: string, dbPath: string): LoadedRun {
  if (dbPath !== ':memory:' && !existsSync(dbPath)) {
    throw new RunLoadError(`${ref}: not a file, and there is no run database at ${dbPath} (use --db or $INFERSCOPE_DB)`);
  }
  const store = openSqliteStore(dbPath);
  try {
    const row = store.getRun(ref);
    const records = store.getRequests(row.id);
    return {
      label: ref === row.id ? row.id : `${ref} (${row.id})`,
      source: `store:${dbPath}`,
      results: runInfoFromRow(row, records),
      records,
    };
  } finally {
    store.close();
  }
}

/** A stored run as RunInfo: its results document when it finished, else rebuilt from its row and records. */
function runInfoFromRow(row: RunRow, records: RequestRecord[]): RunInfo {
  const doc = row.results as { run?: Partial<RunInfo> & { target?: RunInfo['target'] }; summary?: unknown } | null;
  const config = (row.config ?? {}) as Record<string, unknown>;
  const summary = isSummary(doc?.summary) ? doc.summary : isSummary(row.summary) ? row.summary : summarize(records);
  return {
    id: row.id,
    tool_version: doc?.run?.tool_version ?? row.environment.tool_version,
    status: row.status,
    config: doc?.run?.config ?? row.config,
    target: doc?.run?.target ?? {
      url: row.environment.target_url,
      model: row.environment.model_id ?? String(config['model'] ?? ''),
      api: String(config['api'] ?? 'chat'),
      embedded: row.environment.engine === 'inferscope-embedded',
    },
    summary,
  };
}

function isSummary(v: unknown): v is RunSummary {
  return v !== null && typeof v === 'object' && 'ttft_ms' in v && 'requests' in v;
}
