/** DDL both stores' first migrations share, the same SQL on SQLite and PostgreSQL. */

/** The columns of the runs table as SQLite's first schema had them (PostgreSQL adds its own after these). */
export const RUN_COLUMNS_V1 = `
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'invalid')),
        target TEXT,
        model TEXT,
        config_json TEXT NOT NULL,
        environment_json TEXT NOT NULL,
        summary_json TEXT,
        results_json TEXT,
        writer_pid INTEGER,
        writer_host TEXT`;

/** The label and baseline tables. */
export const LABELS_AND_BASELINES_DDL = `
      CREATE TABLE run_labels (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      );
      CREATE INDEX run_labels_key_value_idx ON run_labels (key, value);

      CREATE TABLE baselines (
        name TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tagged_at TEXT NOT NULL
      );
      CREATE INDEX baselines_run_id_idx ON baselines (run_id);
`;

/** The identifying columns of a monitor probe (the rest differ in type between SQLite and PostgreSQL). */
export const MONITOR_PROBE_KEY_COLUMNS = `
        id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        probe TEXT NOT NULL,
        location TEXT NOT NULL,`;
