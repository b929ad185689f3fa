/**
 * The PostgreSQL schema, numbered like the SQLite one (migrations.ts) and append-only: never edit a shipped one, add the
 * next. Columns mirror SQLite's, so rows decode with the same functions (run-rows.ts); JSON stays text, exactly as
 * written. Several processes may open one database at once: migrating holds an advisory lock, so one of them migrates
 * and the others wait and find it done.
 */
import type { PoolClient } from 'pg';
import { LABELS_AND_BASELINES_DDL, MONITOR_PROBE_KEY_COLUMNS, RUN_COLUMNS_V1 } from '../shared-ddl.js';
import { StoreError } from '../errors.js';

interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'runs, labels, baselines, requests, server samples',
    sql: `
      CREATE TABLE runs (${RUN_COLUMNS_V1},
        note TEXT,
        -- Creation order among runs created in the same millisecond (SQLite has its rowid).
        seq BIGSERIAL UNIQUE
      );
      CREATE INDEX runs_created_at_idx ON runs (created_at);
      CREATE INDEX runs_target_idx ON runs (target);

      ${LABELS_AND_BASELINES_DDL}

      CREATE TABLE requests (
        seq BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        warmup BOOLEAN NOT NULL,
        ok BOOLEAN NOT NULL,
        error_class TEXT,
        finish_reason TEXT,
        t_send DOUBLE PRECISION NOT NULL,
        record_json TEXT NOT NULL,
        chunks BYTEA
      );
      CREATE INDEX requests_run_order_idx ON requests (run_id, warmup, idx);
      CREATE INDEX requests_run_ok_idx ON requests (run_id, ok, error_class);

      CREATE TABLE server_samples (
        seq BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        t_ms DOUBLE PRECISION NOT NULL,
        source TEXT NOT NULL,
        payload_json TEXT NOT NULL
      );
      CREATE INDEX server_samples_run_idx ON server_samples (run_id, t_ms);
    `,
  },
  {
    version: 2,
    name: 'monitor: probes and scrapes of every location',
    // Probe ids are made by the instance that ran them and scrape ids from location, target and time, so an
    // instance that re-sends what it buffered while the database was away never duplicates a row.
    sql: `
      CREATE TABLE monitor_probes (${MONITOR_PROBE_KEY_COLUMNS}
        t_wall_ms DOUBLE PRECISION NOT NULL,
        ok BOOLEAN NOT NULL,
        error_class TEXT,
        ttft_ms DOUBLE PRECISION,
        tpot_ms DOUBLE PRECISION,
        e2e_ms DOUBLE PRECISION,
        output_tokens INTEGER,
        record_json TEXT NOT NULL,
        chunks BYTEA
      );
      CREATE INDEX monitor_probes_series_idx ON monitor_probes (target, probe, location, t_wall_ms);
      CREATE INDEX monitor_probes_time_idx ON monitor_probes (t_wall_ms);

      CREATE TABLE monitor_scrapes (
        id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        location TEXT NOT NULL,
        t_wall_ms DOUBLE PRECISION NOT NULL,
        ok BOOLEAN NOT NULL,
        concepts_json TEXT NOT NULL
      );
      CREATE INDEX monitor_scrapes_series_idx ON monitor_scrapes (target, location, t_wall_ms);
    `,
  },
];

/** Arbitrary constant naming inferscope's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 7_341_993_211;

/** Brings the database to the latest schema; refuses one written by a newer inferscope. */
export async function migratePg(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
    if (current > latest) {
      throw new StoreError('schema', `the run database is at schema version ${current}, newer than this inferscope knows (${latest}); upgrade inferscope`);
    }
    for (const m of PG_MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError('schema', `migrating the PostgreSQL run database failed: ${(error as Error).message}`, { cause: error });
  }
}
