/**
 * Resolves what the user named as a run: a results.json path (or the directory `bench --out` wrote, with
 * requests.jsonl beside it) or a store reference (id, unambiguous id prefix, baseline name).
 */
import { existsSync } from 'node:fs';
import { loadRunFromPath, loadRunFromStore, RunLoadError, type StoredRun } from '../report/stored-run.js';
import { defaultDbPath, openSqliteStore } from '../store/sqlite-store.js';
import type { LoadedRun, RunInfo } from './types.js';

export { RunLoadError, readRequestsJsonl } from '../report/stored-run.js';

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
  if (existsSync(ref)) return toLoadedRun(ref, await loadRunFromPath(ref));
  if (/[\\/]/.test(ref) || /\.jsonl?$/i.test(ref)) throw new RunLoadError(`${ref}: no such file or directory`);
  const dbPath = options.db ?? defaultDbPath();
  if (dbPath !== ':memory:' && !existsSync(dbPath)) {
    throw new RunLoadError(`${ref}: not a file, and there is no run database at ${dbPath} (use --db or $INFERSCOPE_DB)`);
  }
  const store = openSqliteStore(dbPath);
  try {
    const run = loadRunFromStore(store, ref);
    const id = run.id;
    return toLoadedRun(ref === id ? id : `${ref} (${id})`, { ...run, source: `store:${dbPath}` });
  } finally {
    store.close();
  }
}

function toLoadedRun(label: string, run: StoredRun): LoadedRun {
  const r = run.results.run;
  const results: RunInfo = {
    id: r.id,
    tool_version: r.tool_version,
    status: r.status,
    config: r.config,
    target: r.target,
    summary: run.results.summary,
  };
  return { label, source: run.source, results, records: run.records, notes: run.notes };
}
