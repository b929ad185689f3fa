import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { openMigratedDatabase } from './sqlite-store.js';

/** What the store keeps of a sweep: its document (sweep.json) whole, with status and times to list it by. */
export interface StoredSweep {
  id: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  /** The sweep document (see src/sweep/sweep-document.ts). */
  document: unknown;
}

/**
 * Sweeps in the run database (beside their steps' runs). Opened on its own connection: SQLite's WAL lets it
 * write while the run store of the same session appends requests.
 *
 * @example const sweeps = openSweepStore('runs.db'); sweeps.save({ id, status: 'running', ... }); sweeps.close();
 */
export function openSweepStore(path: string): SweepStore {
  return new SweepStore(openMigratedDatabase(path));
}

export class SweepStore {
  constructor(private readonly db: Database.Database) {}

  /** Inserts or replaces the sweep (it is saved again after every step). */
  save(sweep: StoredSweep): void {
    this.db
      .prepare('INSERT OR REPLACE INTO sweeps (id, status, started_at, ended_at, document_json) VALUES (?, ?, ?, ?, ?)')
      .run(sweep.id, sweep.status, sweep.started_at, sweep.ended_at, JSON.stringify(sweep.document));
  }

  /** A sweep by id or unambiguous id prefix. */
  get(ref: string): StoredSweep {
    const rows = this.db.prepare<[string, string], Row>('SELECT * FROM sweeps WHERE id = ? OR id LIKE ? ORDER BY id').all(ref, `${ref}%`);
    const exact = rows.find((r) => r.id === ref);
    if (exact) return fromRow(exact);
    if (rows.length === 0) throw new StoreError('not_found', `no sweep ${JSON.stringify(ref)} in the store`);
    if (rows.length > 1) throw new StoreError('ambiguous', `sweep ${JSON.stringify(ref)} is ambiguous: ${rows.map((r) => r.id).join(', ')}`);
    return fromRow(rows[0]!);
  }

  /** Newest first. */
  list(): StoredSweep[] {
    return this.db.prepare<[], Row>('SELECT * FROM sweeps ORDER BY started_at DESC').all().map(fromRow);
  }

  close(): void {
    this.db.close();
  }
}

interface Row {
  id: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  document_json: string;
}

function fromRow(r: Row): StoredSweep {
  return { id: r.id, status: r.status, started_at: r.started_at, ended_at: r.ended_at, document: JSON.parse(r.document_json) };
}
