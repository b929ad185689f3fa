/**
 * Resolves what the user named as a run, for every reader of results (compare, report, analysis): a results.json
 * path (or the directory `bench --out` wrote, with requests.jsonl beside it) or a store reference (id, unambiguous
 * id prefix, baseline name). Paths win over store references when both could apply. Reading never creates a
 * database: a missing store file is an error naming it.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadRunFromPath, loadRunFromStore, RunLoadError, type StoredRun } from './stored-run.js';
import { defaultDbPath } from '../store/default-path.js';
import { isPostgresUrl, openStore } from '../store/open-store.js';
import type { RunStore } from '../store/types.js';

export { RunLoadError, readRequestsJsonl } from './stored-run.js';

export interface LoadRunOptions {
  /** SQLite file for store references; default $INFERSCOPE_DB, else the user data directory. */
  db?: string;
}

/** A loaded run with the name it is shown under. */
export type NamedRun = StoredRun & {
  /** Directory name for paths; for stored runs the reference, with the id when the reference was not the id. */
  label: string;
};

/**
 * Loads one run.
 *
 * @example const base = await loadRun('runs/base'); const cand = await loadRun('nightly', { db: 'runs.db' });
 */
export async function loadRun(ref: string, options: LoadRunOptions = {}): Promise<NamedRun> {
  const [run] = await loadRuns([ref], options);
  return run!;
}

/**
 * Loads each reference in order, opening the store at most once. Labels are made unique with " (2)", " (3)"...
 *
 * @example await loadRuns(['out/a', 'main'], { db: 'runs.db' })
 */
export async function loadRuns(refs: readonly string[], options: LoadRunOptions = {}): Promise<NamedRun[]> {
  let store: { store: RunStore; path: string } | undefined;
  const runs: NamedRun[] = [];
  try {
    for (const ref of refs) {
      if (existsSync(ref)) {
        const run = await loadRunFromPath(ref);
        runs.push({ ...run, label: basename(resolve(dirname(run.source))) || run.results.run.id });
        continue;
      }
      if (/[\\/]/.test(ref) || /\.jsonl?$/i.test(ref)) throw new RunLoadError(`${ref}: no such file or directory`);
      store ??= await openStoreForReading(ref, options.db ?? defaultDbPath());
      const run = await loadRunFromStore(store.store, ref);
      runs.push({ ...run, source: `store:${store.path}`, label: ref === run.id ? run.id : `${ref} (${run.id})` });
    }
  } finally {
    await store?.store.close();
  }
  return uniqueLabels(runs);
}

async function openStoreForReading(ref: string, path: string): Promise<{ store: RunStore; path: string }> {
  if (!isPostgresUrl(path) && path !== ':memory:' && !existsSync(path)) {
    throw new RunLoadError(`${ref}: not a file, and there is no run database at ${path} (use --db or $INFERSCOPE_DB)`);
  }
  const store = await openStore(path);
  return { store, path: store.location };
}

function uniqueLabels(runs: NamedRun[]): NamedRun[] {
  const seen = new Map<string, number>();
  return runs.map((run) => {
    const n = (seen.get(run.label) ?? 0) + 1;
    seen.set(run.label, n);
    return n === 1 ? run : { ...run, label: `${run.label} (${n})` };
  });
}
