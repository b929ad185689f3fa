/**
 * Resolves what the user named as a sweep: a sweep.json path, the directory `sweep --out` wrote, or a sweep id
 * (or unambiguous prefix) in the store. Reading never creates a database.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RunLoadError } from '../results/load-run.js';
import { defaultDbPath } from '../store/default-path.js';
import { StoreError } from '../store/errors.js';
import { openSweepStore } from '../store/sweep-store.js';
import { isPostgresUrl } from '../store/postgres/pg-url.js';
import { SWEEP_SCHEMA_VERSION, type SweepDocument } from './sweep-document.js';

export interface NamedSweep {
  label: string;
  sweep: SweepDocument;
  /** Directory of a sweep read from files (its steps' runs are in step-<index>/ there); absent for stored sweeps. */
  dir?: string;
}

/** The sweep.json a path names, or null when the path is not a sweep (a run, or nothing). */
function sweepFile(ref: string): string | null {
  if (!existsSync(ref)) return null;
  const file = statSync(ref).isDirectory() ? join(ref, 'sweep.json') : ref;
  if (!existsSync(file)) return null;
  if (basename(file) === 'sweep.json') return file;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { schema_version?: unknown }).schema_version === SWEEP_SCHEMA_VERSION ? file : null;
  } catch {
    return null;
  }
}

/**
 * Loads the sweep `ref` names, or returns null when it names something else (so callers can try runs).
 *
 * @example const s = loadSweepIfAny('runs/sweep') ?? loadSweepIfAny('d54ydv', { db: 'runs.db' });
 */
export function loadSweepIfAny(ref: string, options: { db?: string } = {}): NamedSweep | null {
  const file = sweepFile(ref);
  if (file) {
    let doc: SweepDocument;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as SweepDocument;
    } catch (err) {
      throw new RunLoadError(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
    }
    if (doc.schema_version !== SWEEP_SCHEMA_VERSION || !Array.isArray(doc.steps)) {
      throw new RunLoadError(`${file}: not an inferscope sweep document (schema_version ${JSON.stringify(doc.schema_version)})`);
    }
    return { label: basename(dirname(resolve(file))) || doc.id, sweep: doc, dir: dirname(resolve(file)) };
  }
  if (existsSync(ref) || /[\\/]/.test(ref)) return null;
  const db = options.db ?? defaultDbPath();
  if (isPostgresUrl(db) || (db !== ':memory:' && !existsSync(db))) return null;
  const store = openSweepStore(db);
  try {
    return { label: ref, sweep: store.get(ref).document as SweepDocument };
  } catch (err) {
    if (err instanceof StoreError && err.code === 'not_found') return null;
    throw err;
  } finally {
    store.close();
  }
}
