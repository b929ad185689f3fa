/**
 * Numbered schema migrations. `PRAGMA user_version` holds the applied version; `schema_migrations`
 * keeps a readable log. Migrations are append-only: never edit one that has shipped, add the next.
 */
import type { Database } from 'better-sqlite3';
import { LABELS_AND_BASELINES_DDL, MONITOR_PROBE_KEY_COLUMNS, RUN_COLUMNS_V1 } from './shared-ddl.js';
import { StoreError } from './errors.js';
import { compactRequestRows } from './compact-requests.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Data conversion run after `sql`, in the same transaction. */
  convert?: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE runs (${RUN_COLUMNS_V1}
      );
      CREATE INDEX runs_created_at_idx ON runs (created_at);

      ${LABELS_AND_BASELINES_DDL}

      -- One row per finished request. The JSON record is the source of truth; the other
      -- columns are copies for filtering without decoding JSON.
      CREATE TABLE requests (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        warmup INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        error_class TEXT,
        finish_reason TEXT,
        t_send REAL NOT NULL,
        record_json TEXT NOT NULL
      );
      CREATE INDEX requests_run_order_idx ON requests (run_id, warmup, idx);

      CREATE TABLE server_samples (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        t_ms REAL NOT NULL,
        source TEXT NOT NULL,
        payload_json TEXT NOT NULL
      );
      CREATE INDEX server_samples_run_idx ON server_samples (run_id, t_ms);
    `,
  },
  {
    version: 2,
    name: 'run notes; target lookup index; failed-request index',
    sql: `
      ALTER TABLE runs ADD COLUMN note TEXT;
      CREATE INDEX runs_target_idx ON runs (target);
      CREATE INDEX requests_run_ok_idx ON requests (run_id, ok, error_class);
    `,
  },
  {
    version: 3,
    name: 'request chunks as a compact blob',
    // record_json keeps the record with `chunks` replaced by the chunk count; the chunks themselves go
    // to the blob (see record-codec.ts). A NULL blob means the chunks are still inside record_json.
    sql: 'ALTER TABLE requests ADD COLUMN chunks BLOB;',
    convert: compactRequestRows,
  },
  {
    version: 4,
    name: 'monitor: probes, scrapes, alerts, pending notifications',
    // A probe's id is made by the instance that ran it, so re-sending a buffered probe never duplicates it.
    sql: `
      CREATE TABLE monitor_probes (${MONITOR_PROBE_KEY_COLUMNS}
        t_wall_ms REAL NOT NULL,
        ok INTEGER NOT NULL,
        error_class TEXT,
        ttft_ms REAL,
        tpot_ms REAL,
        e2e_ms REAL,
        output_tokens INTEGER,
        record_json TEXT NOT NULL,
        chunks BLOB
      );
      CREATE INDEX monitor_probes_series_idx ON monitor_probes (target, probe, t_wall_ms);
      CREATE INDEX monitor_probes_time_idx ON monitor_probes (t_wall_ms);

      CREATE TABLE monitor_scrapes (
        seq INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        location TEXT NOT NULL,
        t_wall_ms REAL NOT NULL,
        ok INTEGER NOT NULL,
        concepts_json TEXT NOT NULL
      );
      CREATE INDEX monitor_scrapes_series_idx ON monitor_scrapes (target, t_wall_ms);

      CREATE TABLE monitor_alerts (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
        since_ms REAL NOT NULL,
        detail_json TEXT NOT NULL
      );
      CREATE TABLE monitor_alert_events (
        seq INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        state TEXT NOT NULL,
        t_ms REAL NOT NULL,
        detail_json TEXT NOT NULL
      );
      CREATE INDEX monitor_alert_events_time_idx ON monitor_alert_events (t_ms);

      CREATE TABLE monitor_notifications (
        seq INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        format TEXT NOT NULL,
        body_json TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_ms REAL NOT NULL,
        last_error TEXT
      );

      -- Probes older than the retention, summed per hour: downsampled, not dropped.
      CREATE TABLE monitor_probe_hours (
        target TEXT NOT NULL,
        probe TEXT NOT NULL,
        location TEXT NOT NULL,
        hour_ms REAL NOT NULL,
        probes INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        summary_json TEXT NOT NULL,
        PRIMARY KEY (target, probe, location, hour_ms)
      );
    `,
  },
  {
    version: 5,
    name: 'sweeps: one record per family of runs',
    // The steps are ordinary runs labelled sweep=<id>; the document (sweep.json) is kept whole.
    sql: `
      CREATE TABLE sweeps (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        document_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'monitor: how far probes and scrapes were copied to a shared store',
    sql: `
      CREATE TABLE monitor_replication (
        name TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'monitor: hourly rollups of probes and scrapes older than the retention',
    sql: `
      CREATE TABLE monitor_probe_rollups (
        target TEXT NOT NULL,
        probe TEXT NOT NULL,
        location TEXT NOT NULL,
        hour_ms REAL NOT NULL,
        series_json TEXT NOT NULL,
        PRIMARY KEY (target, probe, location, hour_ms)
      );
      CREATE TABLE monitor_scrape_rollups (
        target TEXT NOT NULL,
        location TEXT NOT NULL,
        hour_ms REAL NOT NULL,
        scrapes INTEGER NOT NULL,
        concepts_json TEXT NOT NULL,
        PRIMARY KEY (target, location, hour_ms)
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The schema version recorded in the database file. */
export function schemaVersion(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Brings the database to `targetVersion` (default: latest), each migration in its own
 * IMMEDIATE transaction so two processes opening the same new file do not both migrate.
 * Refuses a database written by a newer schema.
 * @example migrate(db) // { from: 0, to: 3 }
 */
export function migrate(db: Database, targetVersion: number = LATEST_SCHEMA_VERSION): { from: number; to: number } {
  const from = schemaVersion(db);
  if (from > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      'schema',
      `database schema version ${from} is newer than this inferscope supports (${LATEST_SCHEMA_VERSION}); upgrade inferscope`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version > targetVersion) break;
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      db.exec(migration.sql);
      migration.convert?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      apply.immediate();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('schema', `schema migration ${migration.version} (${migration.name}) failed: ${String(error)}`, {
        cause: error,
      });
    }
  }
  return { from, to: schemaVersion(db) };
}
