/**
 * Loading runs to report on: a results.json path, a `bench --out` directory (results.json + requests.jsonl),
 * or a reference into the run store (id, id prefix or baseline name). Nothing is re-run.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadRunFromPath, loadRunFromStore, RunLoadError as ReportInputError } from '../stored-run.js';
import type { RunStore } from '../../store/types.js';
import type { ReportRun } from './chart-data.js';

/** A run that cannot be loaded: missing file, bad JSON line. */
export { RunLoadError as ReportInputError, readRequestsJsonl } from '../stored-run.js';

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

/** A `bench --out` directory or results.json, labelled by its directory name. */
export async function loadFromPath(path: string): Promise<ReportRun> {
  const run = await loadRunFromPath(path);
  return { label: basename(resolve(dirname(run.source))) || run.results.run.id, results: run.results, records: run.records ?? [] };
}

/** A stored run (finished, or rebuilt from the finished requests of one that was killed), labelled by its id. */
export function loadFromStore(store: RunStore, ref: string): ReportRun {
  const run = loadRunFromStore(store, ref);
  return { label: run.id, results: run.results, records: run.records ?? [] };
}

function uniqueLabels(runs: ReportRun[]): ReportRun[] {
  const seen = new Map<string, number>();
  return runs.map((run) => {
    const n = (seen.get(run.label) ?? 0) + 1;
    seen.set(run.label, n);
    return n === 1 ? run : { ...run, label: `${run.label} (${n})` };
  });
}
