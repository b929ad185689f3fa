/**
 * The RunStore on PostgreSQL (node-postgres), for teams that share one history: several benchmarks, shards or
 * monitors may write into one database at once, each run in its own rows. Same contract as the SQLite store.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import type { QualityScores } from '../../measure/quality.js';
import type { RequestRecord } from '../../measure/record.js';
import { StoreError } from '../errors.js';
import { newRunId } from '../ids.js';
import { resolveRunRef } from '../resolve-ref.js';
import { checkBaselineName, checkLabel } from '../labels.js';
import { encodeRecord } from '../record-codec.js';
import { decodeJson, decodeRequest, decodeRun, toJsonColumn, type RunDbRow } from '../run-rows.js';
import type { FinishRun, NewRun, RunFilter, RunRow, RunStore, ServerSample } from '../types.js';
import { isWriterGone } from '../writer-liveness.js';
import { connectPg } from './pg-connect.js';

const FINAL_STATUSES = ['completed', 'interrupted', 'invalid'];
/** Rows fetched per round trip when iterating a run's requests. */
const PAGE_ROWS = 2000;

const RUN_SELECT = `
  SELECT r.id, r.created_at, r.finished_at, r.status, r.config_json, r.environment_json,
         r.summary_json, r.results_json, r.note, r.writer_pid, r.writer_host,
         (SELECT count(*) FROM requests q WHERE q.run_id = r.id)::int AS request_count,
         (SELECT json_object_agg(l.key, l.value) FROM run_labels l WHERE l.run_id = r.id)::text AS labels_json,
         (SELECT json_agg(b.name ORDER BY b.name) FROM baselines b WHERE b.run_id = r.id)::text AS baselines_json
  FROM runs r`;

/**
 * Connects, migrates (under an advisory lock, so concurrent openers are safe) and returns the store.
 * @example const store = await openPostgresStore('postgres://bench@127.0.0.1/inferscope');
 */
export async function openPostgresStore(url: string): Promise<RunStore> {
  const { pool, location } = await connectPg(url);
  return new PgRunStore(pool, location);
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

class PgRunStore implements RunStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  async createRun(meta: NewRun): Promise<RunRow> {
    const labels = meta.labels ?? {};
    for (const [key, value] of Object.entries(labels)) checkLabel(key, value);
    const env = meta.environment;
    // 50 random bits make a clash unlikely, not impossible; retry on the primary key.
    for (let attempt = 0; ; attempt++) {
      const id = newRunId();
      try {
        await this.transaction(async (c) => {
          await c.query(
            `INSERT INTO runs (id, created_at, status, target, model, config_json, environment_json, note, writer_pid, writer_host)
             VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9)`,
            [id, new Date().toISOString(), env.target_url ?? null, env.model_id ?? null, toJsonColumn(meta.config ?? null), toJsonColumn(env), meta.note ?? null, process.pid, hostname()],
          );
          for (const [key, value] of Object.entries(labels)) await c.query('INSERT INTO run_labels (run_id, key, value) VALUES ($1, $2, $3)', [id, key, value]);
        });
        return await this.getRun(id);
      } catch (error) {
        if (pgCode(error) !== '23505' || attempt >= 5) throw wrap('create run', error);
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
    const enc = records.map((r) => ({ r, stored: encodeRecord(r) }));
    try {
      // One statement per batch: the columns as arrays, unnested server-side.
      await this.pool.query(
        `INSERT INTO requests (run_id, idx, warmup, ok, error_class, finish_reason, t_send, record_json, chunks)
         SELECT $1, * FROM unnest($2::int[], $3::bool[], $4::bool[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::bytea[])`,
        [
          runId,
          enc.map((e) => e.r.index),
          enc.map((e) => e.r.warmup),
          enc.map((e) => e.r.ok),
          enc.map((e) => e.r.error?.class ?? null),
          enc.map((e) => e.r.finish_reason),
          enc.map((e) => e.r.t_send),
          enc.map((e) => e.stored.json),
          enc.map((e) => (e.stored.chunks ? Buffer.from(e.stored.chunks) : null)),
        ],
      );
    } catch (error) {
      throw wrap(`append requests to run ${runId}`, error, runId);
    }
  }

  async appendServerSamples(runId: string, samples: readonly ServerSample[]): Promise<void> {
    if (samples.length === 0) return;
    try {
      await this.pool.query(
        `INSERT INTO server_samples (run_id, t_ms, source, payload_json) SELECT $1, * FROM unnest($2::float8[], $3::text[], $4::text[])`,
        [runId, samples.map((s) => s.t_ms), samples.map((s) => s.source), samples.map((s) => toJsonColumn(s.payload ?? null))],
      );
    } catch (error) {
      throw wrap(`append server samples to run ${runId}`, error, runId);
    }
  }

  async setRequestQuality(runId: string, items: ReadonlyArray<{ index: number; quality: QualityScores }>): Promise<void> {
    if (items.length === 0) return;
    try {
      await this.pool.query(
        `UPDATE requests r SET record_json = jsonb_set(r.record_json::jsonb, '{quality}', u.q::jsonb)::text
         FROM unnest($2::int[], $3::text[]) AS u(idx, q) WHERE r.run_id = $1 AND r.idx = u.idx AND NOT r.warmup`,
        [runId, items.map((i) => i.index), items.map((i) => JSON.stringify(i.quality))],
      );
    } catch (error) {
      throw wrap(`store answer scores of run ${runId}`, error, runId);
    }
  }

  async finishRun(runId: string, finish: FinishRun): Promise<void> {
    if (!FINAL_STATUSES.includes(finish.status)) {
      throw new StoreError('invalid_input', `finish run ${runId}: status must be one of ${FINAL_STATUSES.join(', ')}, got "${String(finish.status)}"`);
    }
    const result = await this.pool
      .query('UPDATE runs SET status = $1, summary_json = $2, results_json = $3, finished_at = $4 WHERE id = $5', [
        finish.status,
        toJsonColumn(finish.summary ?? null),
        toJsonColumn(finish.results ?? null),
        new Date().toISOString(),
        runId,
      ])
      .catch((error: unknown) => {
        throw wrap(`finish run ${runId}`, error, runId);
      });
    if (result.rowCount === 0) throw notFound(runId);
  }

  async checkpointRun(runId: string, checkpoint: { summary: unknown; results: unknown }): Promise<void> {
    await this.pool.query("UPDATE runs SET summary_json = $1, results_json = $2 WHERE id = $3 AND status = 'running'", [
      toJsonColumn(checkpoint.summary ?? null),
      toJsonColumn(checkpoint.results ?? null),
      runId,
    ]);
  }

  async getRun(ref: string): Promise<RunRow> {
    return resolveRunRef(ref, {
      byId: async (id) => (await this.selectRuns('WHERE r.id = $1', [id]))[0],
      byBaseline: async (name) => (await this.selectRuns('WHERE r.id = (SELECT run_id FROM baselines WHERE name = $1)', [name]))[0],
      idsWithPrefix: async (prefix, limit) =>
        (await this.query<{ id: string }>('SELECT id FROM runs WHERE id LIKE $1 ORDER BY created_at DESC, seq DESC LIMIT $2', [`${prefix}%`, limit])).rows.map((r) => r.id),
    });
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (value: unknown): string => `$${params.push(value)}`;
    if (filter.since !== undefined) {
      if (Number.isNaN(filter.since.getTime())) throw new StoreError('invalid_input', 'list runs: "since" is not a valid date');
      where.push(`r.created_at >= ${p(filter.since.toISOString())}`);
    }
    if (filter.target !== undefined && filter.target !== '') where.push(`strpos(lower(r.target), lower(${p(filter.target)})) > 0`);
    for (const [key, value] of Object.entries(filter.labels ?? {})) {
      where.push(`EXISTS (SELECT 1 FROM run_labels l WHERE l.run_id = r.id AND l.key = ${p(key)} AND l.value = ${p(value)})`);
    }
    let sql = `${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.seq DESC`;
    if (filter.limit !== undefined) {
      if (!Number.isInteger(filter.limit) || filter.limit < 1) {
        throw new StoreError('invalid_input', `list runs: "limit" must be a positive integer, got ${filter.limit}`);
      }
      sql += ` LIMIT ${p(filter.limit)}`;
    }
    return this.selectRuns(sql, params);
  }

  async getRequests(runId: string): Promise<RequestRecord[]> {
    const out: RequestRecord[] = [];
    for await (const r of this.iterateRequests(runId)) out.push(r);
    return out;
  }

  iterateRequests(runId: string): AsyncIterableIterator<RequestRecord> {
    const store = this;
    // Warm-up first, then by index: a page at a time, each after the last (idx, seq) seen.
    async function* pages(): AsyncIterableIterator<RequestRecord> {
      await store.requireRun(runId);
      for (const warmup of [true, false]) {
        let after: [number, string] = [-2147483648, '0'];
        for (;;) {
          const { rows } = await store.query<{ seq: string; idx: number; record_json: string; chunks: Buffer | null }>(
            `SELECT seq, idx, record_json, chunks FROM requests WHERE run_id = $1 AND warmup = $2 AND (idx, seq) > ($3, $4::bigint)
             ORDER BY idx, seq LIMIT ${PAGE_ROWS}`,
            [runId, warmup, after[0], after[1]],
          );
          for (const row of rows) yield decodeRequest(runId, Number(row.seq), row.record_json, row.chunks);
          if (rows.length < PAGE_ROWS) break;
          const last = rows[rows.length - 1]!;
          after = [last.idx, last.seq];
        }
      }
    }
    return pages();
  }

  async getServerSamples(runId: string): Promise<ServerSample[]> {
    await this.requireRun(runId);
    const { rows } = await this.query<{ t_ms: number; source: string; payload_json: string }>(
      'SELECT t_ms, source, payload_json FROM server_samples WHERE run_id = $1 ORDER BY t_ms, seq',
      [runId],
    );
    return rows.map((row) => ({ t_ms: row.t_ms, source: row.source, payload: decodeJson(row.payload_json, runId, 'server sample') }));
  }

  async deleteRun(runId: string): Promise<void> {
    const result = await this.query('DELETE FROM runs WHERE id = $1', [runId]);
    if (result.rowCount === 0) throw notFound(runId);
  }

  async tagBaseline(runId: string, name: string): Promise<{ previous: string | null }> {
    checkBaselineName(name);
    return this.transaction(async (c) => {
      const exists = await c.query('SELECT 1 FROM runs WHERE id = $1', [runId]);
      if (exists.rowCount === 0) throw notFound(runId);
      const prev = await c.query<{ run_id: string }>('SELECT run_id FROM baselines WHERE name = $1 FOR UPDATE', [name]);
      await c.query(
        `INSERT INTO baselines (name, run_id, tagged_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, tagged_at = excluded.tagged_at`,
        [name, runId, new Date().toISOString()],
      );
      const previous = prev.rows[0]?.run_id;
      return { previous: previous !== undefined && previous !== runId ? previous : null };
    });
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /** Runs matching `tail`; `running` runs whose writer process is gone are marked interrupted. */
  private async selectRuns(tail: string, params: unknown[]): Promise<RunRow[]> {
    const { rows } = await this.query<RunDbRow>(`${RUN_SELECT} ${tail}`, params);
    const out: RunRow[] = [];
    for (const row of rows) {
      if (row.status === 'running' && isWriterGone(row.writer_pid, row.writer_host)) {
        await this.query("UPDATE runs SET status = 'interrupted' WHERE id = $1 AND status = 'running'", [row.id]);
        row.status = 'interrupted';
      }
      out.push(decodeRun(row));
    }
    return out;
  }

  private async requireRun(runId: string): Promise<void> {
    const { rowCount } = await this.query('SELECT 1 FROM runs WHERE id = $1', [runId]);
    if (rowCount === 0) throw notFound(runId);
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[], on: Queryable = this.pool): Promise<pg.QueryResult<R>> {
    try {
      return await on.query<R>(sql, params);
    } catch (error) {
      throw wrap('query the run database', error);
    }
  }

  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect().catch((error: unknown) => {
      throw wrap(`connect to ${this.location}`, error);
    });
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      c.release();
    }
  }
}

function pgCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

function wrap(what: string, error: unknown, runId?: string): StoreError {
  if (error instanceof StoreError) return error;
  // 23503: foreign key violation (the run is gone).
  if (runId !== undefined && pgCode(error) === '23503') return notFound(runId);
  return new StoreError('io', `${what}: ${(error as Error).message}`, { cause: error });
}

function notFound(runId: string): StoreError {
  return new StoreError('not_found', `run ${runId} does not exist`);
}
