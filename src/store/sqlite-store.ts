import type { QualityScores } from '../measure/quality.js';
/** The embedded SQLite RunStore (better-sqlite3, WAL). */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RequestRecord } from '../measure/record.js';
import { StoreError } from './errors.js';
import { newRunId } from './ids.js';
import { resolveRunRef } from './resolve-ref.js';
import { checkBaselineName, checkLabel } from './labels.js';
import { migrate } from './migrations.js';
import { encodeRecord } from './record-codec.js';
import { RUN_SELECT, decodeJson, decodeRequest, decodeRun, toJsonColumn } from './run-rows.js';
import type { RunDbRow } from './run-rows.js';
import type { FinishRun, NewRun, RunFilter, RunRow, RunStore, ServerSample } from './types.js';
import { isWriterGone } from './writer-liveness.js';

const FINAL_STATUSES = ['completed', 'interrupted', 'invalid'];
const BUSY_TIMEOUT_MS = 5000;

/** `$INFERSCOPE_DB`, else `<user data dir>/inferscope/inferscope.db` (per env-paths). */
import { defaultDbPath } from './default-path.js';
export { defaultDbPath };

/** Opens a database file with the store's pragmas, without migrating (tests use it to build old schemas). */
export function openSqliteDatabase(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    // busy_timeout first, so switching to WAL waits for another opener instead of failing.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    throw new StoreError('io', `cannot open run database ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Opens (creating if needed) the run database at `path` and migrates it to the latest schema.
 * @example const store = openSqliteStore(defaultDbPath()); try { ... } finally { store.close(); }
 */
export function openSqliteStore(path: string = defaultDbPath()): RunStore {
  return new SqliteRunStore(openMigratedDatabase(path), path);
}

/** Opens the database file and migrates it to the latest schema (closing it again when that fails). */
export function openMigratedDatabase(path: string): Database.Database {
  const db = openSqliteDatabase(path);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function isForeignKeyError(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

class SqliteRunStore implements RunStore {
  readonly #db: Database.Database;
  readonly #insertRequest: Database.Statement;
  readonly #insertSample: Database.Statement;
  readonly #selectRequests: Database.Statement<[string], [number, string, Buffer | null]>;
  readonly #runExists: Database.Statement<[string], number>;

  readonly location: string;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.location = location;
    this.#insertRequest = db.prepare(`INSERT INTO requests
      (run_id, idx, warmup, ok, error_class, finish_reason, t_send, record_json, chunks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#insertSample = db.prepare(
      'INSERT INTO server_samples (run_id, t_ms, source, payload_json) VALUES (?, ?, ?, ?)',
    );
    this.#selectRequests = db
      .prepare<[string], [number, string, Buffer | null]>(
        'SELECT seq, record_json, chunks FROM requests WHERE run_id = ? ORDER BY warmup DESC, idx, seq',
      )
      .raw();
    this.#runExists = db.prepare<[string], number>('SELECT 1 FROM runs WHERE id = ?').pluck();
  }

  async createRun(meta: NewRun): Promise<RunRow> {
    const labels = meta.labels ?? {};
    for (const [key, value] of Object.entries(labels)) checkLabel(key, value);
    const env = meta.environment;
    const insertRun = this.#db.prepare(`INSERT INTO runs
      (id, created_at, status, target, model, config_json, environment_json, note, writer_pid, writer_host)
      VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`);
    const insertLabel = this.#db.prepare('INSERT INTO run_labels (run_id, key, value) VALUES (?, ?, ?)');
    const create = this.#db.transaction((id: string) => {
      insertRun.run(
        id,
        new Date().toISOString(),
        env.target_url ?? null,
        env.model_id ?? null,
        toJsonColumn(meta.config ?? null),
        toJsonColumn(env),
        meta.note ?? null,
        process.pid,
        hostname(),
      );
      for (const [key, value] of Object.entries(labels)) insertLabel.run(id, key, value);
    });
    // 50 random bits make a clash unlikely, not impossible; retry on the primary key.
    for (let attempt = 0; ; attempt++) {
      const id = newRunId();
      try {
        create.immediate(id);
        return await this.getRun(id);
      } catch (error) {
        const clash = (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
        if (!clash || attempt >= 5) throw this.#wrap('create run', error);
      }
    }
  }

  async appendRequests(runId: string, records: readonly RequestRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const record of records) {
      if (!Number.isInteger(record.index) || !Number.isFinite(record.t_send)) {
        throw new StoreError('invalid_input', `run ${runId}: request record ${String(record.index)} has a bad index or t_send`);
      }
    }
    const insert = this.#insertRequest;
    const write = this.#db.transaction(() => {
      for (const r of records) {
        const stored = encodeRecord(r);
        insert.run(runId, r.index, r.warmup ? 1 : 0, r.ok ? 1 : 0, r.error?.class ?? null, r.finish_reason, r.t_send, stored.json, stored.chunks);
      }
    });
    try {
      write.immediate();
    } catch (error) {
      throw this.#wrap(`append requests to run ${runId}`, error, runId);
    }
  }

  async appendServerSamples(runId: string, samples: readonly ServerSample[]): Promise<void> {
    if (samples.length === 0) return;
    const insert = this.#insertSample;
    const write = this.#db.transaction(() => {
      for (const s of samples) insert.run(runId, s.t_ms, s.source, toJsonColumn(s.payload ?? null));
    });
    try {
      write.immediate();
    } catch (error) {
      throw this.#wrap(`append server samples to run ${runId}`, error, runId);
    }
  }

  async setRequestQuality(runId: string, items: ReadonlyArray<{ index: number; quality: QualityScores }>): Promise<void> {
    if (items.length === 0) return;
    const update = this.#db.prepare("UPDATE requests SET record_json = json_set(record_json, '$.quality', json(?)) WHERE run_id = ? AND idx = ? AND warmup = 0");
    const write = this.#db.transaction(() => {
      for (const { index, quality } of items) update.run(JSON.stringify(quality), runId, index);
    });
    try {
      write.immediate();
    } catch (error) {
      throw this.#wrap(`store answer scores of run ${runId}`, error, runId);
    }
  }

  async finishRun(runId: string, finish: FinishRun): Promise<void> {
    if (!FINAL_STATUSES.includes(finish.status)) {
      throw new StoreError('invalid_input', `finish run ${runId}: status must be one of ${FINAL_STATUSES.join(', ')}, got "${String(finish.status)}"`);
    }
    const result = this.#db
      .prepare('UPDATE runs SET status = ?, summary_json = ?, results_json = ?, finished_at = ? WHERE id = ?')
      .run(finish.status, toJsonColumn(finish.summary ?? null), toJsonColumn(finish.results ?? null), new Date().toISOString(), runId);
    if (result.changes === 0) throw notFound(runId);
  }

  async checkpointRun(runId: string, checkpoint: { summary: unknown; results: unknown }): Promise<void> {
    this.#db
      .prepare("UPDATE runs SET summary_json = ?, results_json = ? WHERE id = ? AND status = 'running'")
      .run(toJsonColumn(checkpoint.summary ?? null), toJsonColumn(checkpoint.results ?? null), runId);
  }

  async getRun(ref: string): Promise<RunRow> {
    return resolveRunRef(ref, {
      byId: async (id) => this.#selectRuns('WHERE r.id = ?', [id])[0],
      byBaseline: async (name) => this.#selectRuns('WHERE r.id = (SELECT run_id FROM baselines WHERE name = ?)', [name])[0],
      idsWithPrefix: async (prefix, limit) =>
        this.#db.prepare<[string, number], string>('SELECT id FROM runs WHERE id LIKE ? ORDER BY created_at DESC LIMIT ?').pluck().all(`${prefix}%`, limit),
    });
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.since !== undefined) {
      if (Number.isNaN(filter.since.getTime())) throw new StoreError('invalid_input', 'list runs: "since" is not a valid date');
      where.push('r.created_at >= ?');
      params.push(filter.since.toISOString());
    }
    if (filter.target !== undefined && filter.target !== '') {
      where.push('instr(lower(r.target), lower(?)) > 0');
      params.push(filter.target);
    }
    for (const [key, value] of Object.entries(filter.labels ?? {})) {
      where.push('EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id AND l.key = ? AND l.value = ?)');
      params.push(key, value);
    }
    let sql = `${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.rowid DESC`;
    if (filter.limit !== undefined) {
      if (!Number.isInteger(filter.limit) || filter.limit < 1) {
        throw new StoreError('invalid_input', `list runs: "limit" must be a positive integer, got ${filter.limit}`);
      }
      sql += ' LIMIT ?';
      params.push(filter.limit);
    }
    return this.#selectRuns(sql, params);
  }

  async getRequests(runId: string): Promise<RequestRecord[]> {
    this.#requireRun(runId);
    return this.#selectRequests.all(runId).map(([seq, json, chunks]) => decodeRequest(runId, seq, json, chunks));
  }

  iterateRequests(runId: string): AsyncIterableIterator<RequestRecord> {
    const select = this.#selectRequests;
    const requireRun = (): void => this.#requireRun(runId);
    // The query starts on the first next(): better-sqlite3 keeps the connection busy until it ends.
    async function* decode(): AsyncIterableIterator<RequestRecord> {
      requireRun();
      for (const [seq, json, chunks] of select.iterate(runId)) yield decodeRequest(runId, seq, json, chunks);
    }
    return decode();
  }

  async getServerSamples(runId: string): Promise<ServerSample[]> {
    this.#requireRun(runId);
    const rows = this.#db
      .prepare<[string], { t_ms: number; source: string; payload_json: string }>(
        'SELECT t_ms, source, payload_json FROM server_samples WHERE run_id = ? ORDER BY t_ms, seq',
      )
      .all(runId);
    return rows.map((row) => ({ t_ms: row.t_ms, source: row.source, payload: decodeJson(row.payload_json, runId, 'server sample') }));
  }

  async deleteRun(runId: string): Promise<void> {
    const result = this.#db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    if (result.changes === 0) throw notFound(runId);
  }

  async tagBaseline(runId: string, name: string): Promise<{ previous: string | null }> {
    checkBaselineName(name);
    const tag = this.#db.transaction(() => {
      this.#requireRun(runId);
      const previous = this.#db.prepare<[string], string>('SELECT run_id FROM baselines WHERE name = ?').pluck().get(name);
      this.#db
        .prepare(`INSERT INTO baselines (name, run_id, tagged_at) VALUES (?, ?, ?)
          ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, tagged_at = excluded.tagged_at`)
        .run(name, runId, new Date().toISOString());
      return { previous: previous !== undefined && previous !== runId ? previous : null };
    });
    return tag.immediate();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** Runs matching `tail`; `running` runs whose writer process is gone are marked interrupted. */
  #selectRuns(tail: string, params: unknown[]): RunRow[] {
    const rows = this.#db.prepare<unknown[], RunDbRow>(`${RUN_SELECT} ${tail}`).all(...params);
    return rows.map((row) => {
      if (row.status === 'running' && isWriterGone(row.writer_pid, row.writer_host)) {
        this.#db.prepare("UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'").run(row.id);
        row.status = 'interrupted';
      }
      return decodeRun(row);
    });
  }

  #requireRun(runId: string): void {
    if (this.#runExists.get(runId) === undefined) throw notFound(runId);
  }

  #wrap(what: string, error: unknown, runId?: string): StoreError {
    if (error instanceof StoreError) return error;
    if (runId !== undefined && isForeignKeyError(error)) return notFound(runId);
    return new StoreError('io', `${what}: ${(error as Error).message}`, { cause: error });
  }
}

function notFound(runId: string): StoreError {
  return new StoreError('not_found', `run ${runId} does not exist`);
}
