/**
 * Opens the run store a `--db` value names: a postgres:// URL opens PostgreSQL (loaded only then), anything else is a
 * SQLite file (created when missing).
 */
import { isPostgresUrl } from './postgres/pg-url.js';
import { openSqliteStore } from './sqlite-store.js';
import type { RunStore } from './types.js';

export { isPostgresUrl };

export async function openStore(ref: string): Promise<RunStore> {
  if (isPostgresUrl(ref)) {
    const { openPostgresStore } = await import('./postgres/pg-store.js');
    return openPostgresStore(ref);
  }
  return openSqliteStore(ref);
}
