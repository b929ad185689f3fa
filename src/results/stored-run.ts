/**
 * Reading runs back, for every reader of stored results (report, compare): a `bench --out` directory or its
 * results.json (with requests.jsonl beside it), or a run in the store. A run that never finished (killed,
 * interrupted) has no results document in the store; it is rebuilt from its finished records, or, for a run that kept no
 * (or sampled) records, taken from its last checkpoint.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import type { RequestRecord } from '../measure/record.js';
import { summarize } from '../stats/summary.js';
import type { RunRow, RunStore } from '../store/types.js';
import { buildResults, parseResultsDocument, type ResultsDocument } from './results-document.js';
import { CHECKPOINT_FILE, resultsFromCheckpoint } from './aggregate-checkpoint.js';

/** A run that cannot be loaded: missing file, bad JSON, a line that is not a request record. */
export class RunLoadError extends InputError {
  override readonly name = 'RunLoadError';
}

export interface StoredRun {
  /** The store's id for a stored run, else the results document's run id. */
  id: string;
  /** Where it came from: a results.json path or "store:<run id>". */
  source: string;
  results: ResultsDocument;
  /** Every request record (warm-up included); null when only results.json exists. */
  records: RequestRecord[] | null;
  /** Facts found while loading (e.g. a truncated last line of requests.jsonl). */
  notes: string[];
}

/** results.json (a file, or the directory holding it) and the requests.jsonl beside it when present. */
export async function loadRunFromPath(path: string): Promise<StoredRun> {
  const isDir = statSync(path).isDirectory();
  if (!isDir && basename(path).endsWith('.jsonl')) {
    throw new RunLoadError(`${path}: give the run's results.json (or its directory); requests.jsonl is read beside it`);
  }
  const resultsPath = isDir ? join(path, 'results.json') : path;
  if (!existsSync(resultsPath)) {
    // A run killed before it could write results.json: its checkpoint (runs without every record), else every
    // finished request in requests.jsonl.
    if (isDir && existsSync(join(path, CHECKPOINT_FILE))) return rebuildFromCheckpoint(path);
    if (isDir && existsSync(join(path, 'requests.jsonl'))) return rebuildFromJsonl(path);
    throw new RunLoadError(`${path}: no results.json in this directory`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resultsPath, 'utf8'));
  } catch (error) {
    throw new RunLoadError(`${resultsPath}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  let results: ResultsDocument;
  try {
    results = parseResultsDocument(parsed, resultsPath);
  } catch (error) {
    throw new RunLoadError((error as Error).message, { cause: error });
  }
  const notes: string[] = [];
  const jsonl = join(dirname(resultsPath), 'requests.jsonl');
  const records = existsSync(jsonl) ? await readRequestsJsonl(jsonl, notes) : null;
  return { id: results.run.id, source: resultsPath, results, records, notes };
}

async function rebuildFromCheckpoint(dir: string): Promise<StoredRun> {
  const notes: string[] = [];
  const { results, note } = resultsFromCheckpoint(dir);
  notes.push(note);
  const jsonl = join(dir, 'requests.jsonl');
  const records = existsSync(jsonl) ? await readRequestsJsonl(jsonl, notes) : null;
  return { id: results.run.id, source: join(dir, CHECKPOINT_FILE), results, records, notes };
}

async function rebuildFromJsonl(dir: string): Promise<StoredRun> {
  const jsonl = join(dir, 'requests.jsonl');
  const notes: string[] = [];
  const records = await readRequestsJsonl(jsonl, notes);
  const id = basename(dir);
  notes.push(`${dir} has no results.json (the run did not finish); figures are rebuilt from its ${records.length} finished requests`);
  const mtime = statSync(jsonl).mtime;
  const results = buildResults({
    id,
    startedAt: mtime,
    endedAt: mtime,
    config: null,
    target: { url: 'unknown', model: 'unknown', api: 'chat' },
    summary: summarize(records),
    status: 'interrupted',
  });
  return { id, source: jsonl, results, records, notes };
}

/** A stored run by id, unambiguous prefix or baseline name, with its records. */
export async function loadRunFromStore(store: RunStore, ref: string): Promise<StoredRun> {
  const row = await store.getRun(ref);
  const records = await store.getRequests(row.id);
  const finished = row.status === 'completed' || row.status === 'invalid';
  const notes = finished
    ? []
    : row.results
      ? [`run ${row.id} did not finish (${row.status}); figures are from its last checkpoint (${(row.results as ResultsDocument).summary?.requests?.total ?? '?'} measured requests)`]
      : [`run ${row.id} did not finish (${row.status}); figures are rebuilt from its ${records.length} finished requests`];
  return { id: row.id, source: `store:${row.id}`, results: resultsOfRow(row, records), records, notes };
}

/** The run's results document; for a run that never finished, rebuilt from its row and finished records. */
export function resultsOfRow(row: RunRow, records: readonly RequestRecord[]): ResultsDocument {
  if (row.results) {
    const doc = parseResultsDocument(row.results, `run ${row.id}`);
    // A checkpoint of a run still going, or whose writer died: the row knows which.
    return row.status === 'running' || row.status === 'interrupted' ? { ...doc, run: { ...doc.run, status: row.status } } : doc;
  }
  const config = (row.config ?? {}) as Record<string, unknown>;
  return buildResults({
    id: row.id,
    toolVersion: row.environment.tool_version,
    startedAt: row.created_at,
    endedAt: row.finished_at ?? row.created_at,
    config: row.config,
    target: {
      url: row.environment.target_url,
      model: row.environment.model_id ?? String(config['model'] ?? ''),
      api: config['api'] === 'completions' ? 'completions' : 'chat',
      embedded: row.environment.engine === 'inferscope-embedded',
    },
    summary: summarize(records),
    status: row.status,
  });
}

/**
 * Reads requests.jsonl, one RequestRecord per line. A malformed last line (a writer killed mid-line) is
 * skipped with a note; a malformed line elsewhere is an error naming the file and line.
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

/** What is wrong with a parsed line, or null when it has the fields readers use. */
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
