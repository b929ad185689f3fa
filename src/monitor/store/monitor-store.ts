import type Database from 'better-sqlite3';
import type { RequestRecord } from '../../measure/record.js';
import { decodeRecord, encodeRecord } from '../../store/record-codec.js';
import { migrate } from '../../store/migrations.js';
import { openSqliteDatabase } from '../../store/sqlite-store.js';
import type { ProbeResult } from '../probe/probe-result.js';

/** A stored probe without its record (what series, SLOs and the API read). */
export type ProbeRow = Omit<ProbeResult, 'record'>;

export interface ProbeQuery {
  target?: string;
  probe?: string;
  location?: string;
  /** Wall-clock ms, inclusive. */
  sinceMs?: number;
  untilMs?: number;
  /** Newest first when set; oldest first otherwise. */
  limit?: number;
}

export interface ScrapeRow {
  target: string;
  location: string;
  wallMs: number;
  ok: boolean;
  /** Concept name -> value (gauges, counter totals, histogram sums and counts). */
  concepts: Record<string, number>;
}

export interface ProbeDbRow {
  id: string;
  target: string;
  probe: string;
  location: string;
  t_wall_ms: number;
  ok: number;
  error_class: string | null;
  ttft_ms: number | null;
  tpot_ms: number | null;
  e2e_ms: number | null;
  output_tokens: number | null;
}

/**
 * The monitor's tables in the run database (SQLite; migration 4). Probes are keyed by the id their instance gave
 * them, so writing one twice (a retry after a lost answer) keeps one row.
 */
export class MonitorStore {
  readonly db: Database.Database;
  readonly #insertProbe: Database.Statement;
  readonly #insertScrape: Database.Statement;
  readonly #sloCounts: Database.Statement;

  constructor(path: string) {
    this.db = openSqliteDatabase(path);
    try {
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.#insertProbe = this.db.prepare(`INSERT OR IGNORE INTO monitor_probes
      (id, target, probe, location, t_wall_ms, ok, error_class, ttft_ms, tpot_ms, e2e_ms, output_tokens, record_json, chunks)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#sloCounts = this.db.prepare(`SELECT count(*) AS total, coalesce(sum(CASE WHEN ok = 1
        AND (@ttft IS NULL OR (ttft_ms IS NOT NULL AND ttft_ms <= @ttft))
        AND (@e2e IS NULL OR (e2e_ms IS NOT NULL AND e2e_ms <= @e2e))
        AND (@tpot IS NULL OR tpot_ms IS NULL OR tpot_ms <= @tpot) THEN 1 ELSE 0 END), 0) AS good
      FROM monitor_probes WHERE target = @target AND probe = @probe AND location = @location AND t_wall_ms >= @since`);
    this.#insertScrape = this.db.prepare(
      'INSERT INTO monitor_scrapes (target, location, t_wall_ms, ok, concepts_json) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /** Stores probes in one transaction; returns how many were new. */
  insertProbes(probes: readonly ProbeResult[]): number {
    let added = 0;
    this.db.transaction(() => {
      for (const p of probes) {
        const stored = encodeRecord(p.record);
        const info = this.#insertProbe.run(
          p.id, p.target, p.probe, p.location, p.wallMs, p.ok ? 1 : 0, p.errorClass,
          p.ttftMs, p.tpotMs, p.e2eMs, p.outputTokens, stored.json, stored.chunks,
        );
        added += info.changes;
      }
    })();
    return added;
  }

  probes(q: ProbeQuery = {}): ProbeRow[] {
    const { where, args } = probeWhere(q);
    const order = q.limit !== undefined ? `ORDER BY t_wall_ms DESC LIMIT ${Math.max(0, Math.floor(q.limit))}` : 'ORDER BY t_wall_ms';
    const rows = this.db
      .prepare(`SELECT id, target, probe, location, t_wall_ms, ok, error_class, ttft_ms, tpot_ms, e2e_ms, output_tokens
        FROM monitor_probes ${where} ${order}`)
      .all(...args) as ProbeDbRow[];
    return rows.map(toProbeRow);
  }

  /** The full bench record of one probe, or null. */
  record(id: string): RequestRecord | null {
    const row = this.db.prepare('SELECT record_json, chunks FROM monitor_probes WHERE id = ?').get(id) as
      | { record_json: string; chunks: Buffer | null }
      | undefined;
    return row ? decodeRecord(row.record_json, row.chunks) : null;
  }

  countProbes(q: ProbeQuery = {}): number {
    const { where, args } = probeWhere(q);
    return (this.db.prepare(`SELECT count(*) AS n FROM monitor_probes ${where}`).get(...args) as { n: number }).n;
  }

  /** Probes and good probes of a series since a wall-clock time, by the same rule as slo-math's isGood. */
  sloCounts(series: { target: string; probe: string; location: string }, sinceMs: number, limits: { ttftMs: number | null; tpotMs: number | null; e2eMs: number | null }): { total: number; good: number } {
    const row = this.#sloCounts.get({ ...series, since: sinceMs, ttft: limits.ttftMs, tpot: limits.tpotMs, e2e: limits.e2eMs }) as { total: number; good: number };
    return { total: row.total, good: row.good };
  }

  insertScrape(s: ScrapeRow): void {
    this.#insertScrape.run(s.target, s.location, s.wallMs, s.ok ? 1 : 0, JSON.stringify(s.concepts));
  }

  scrapes(target: string, sinceMs: number, untilMs: number = Number.MAX_SAFE_INTEGER): ScrapeRow[] {
    const rows = this.db
      .prepare('SELECT target, location, t_wall_ms, ok, concepts_json FROM monitor_scrapes WHERE target = ? AND t_wall_ms >= ? AND t_wall_ms <= ? ORDER BY t_wall_ms')
      .all(target, sinceMs, untilMs) as { target: string; location: string; t_wall_ms: number; ok: number; concepts_json: string }[];
    return rows.map((r) => ({ target: r.target, location: r.location, wallMs: r.t_wall_ms, ok: r.ok === 1, concepts: JSON.parse(r.concepts_json) as Record<string, number> }));
  }

  /** Probes stored after local row `seq`, oldest first, with their encoded records (for copying elsewhere). */
  probesAfter(seq: number, limit: number): Array<ProbeDbRow & { seq: number; record_json: string; chunks: Buffer | null }> {
    return this.db
      .prepare(`SELECT rowid AS seq, id, target, probe, location, t_wall_ms, ok, error_class, ttft_ms, tpot_ms, e2e_ms, output_tokens, record_json, chunks
        FROM monitor_probes WHERE rowid > ? ORDER BY rowid LIMIT ?`)
      .all(seq, limit) as Array<ProbeDbRow & { seq: number; record_json: string; chunks: Buffer | null }>;
  }

  /** Scrapes stored after local row `seq`, oldest first. */
  scrapesAfter(seq: number, limit: number): Array<{ seq: number; target: string; location: string; t_wall_ms: number; ok: number; concepts_json: string }> {
    return this.db
      .prepare('SELECT seq, target, location, t_wall_ms, ok, concepts_json FROM monitor_scrapes WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(seq, limit) as Array<{ seq: number; target: string; location: string; t_wall_ms: number; ok: number; concepts_json: string }>;
  }

  /** Hourly rollups of a series (probes older than the retention), oldest first. */
  probeRollups(target: string, probe: string, location: string, sinceMs: number, untilMs: number): unknown[] {
    const rows = this.db
      .prepare('SELECT series_json FROM monitor_probe_rollups WHERE target = ? AND probe = ? AND location = ? AND hour_ms >= ? AND hour_ms <= ? ORDER BY hour_ms')
      .all(target, probe, location, sinceMs - 3_600_000, untilMs) as Array<{ series_json: string }>;
    return rows.map((r) => JSON.parse(r.series_json) as unknown);
  }

  /** Rows of `table` after `seq` (how much a copy is behind). */
  countAfter(table: 'probes' | 'scrapes', seq: number): number {
    const sql = table === 'probes' ? 'SELECT count(*) AS n FROM monitor_probes WHERE rowid > ?' : 'SELECT count(*) AS n FROM monitor_scrapes WHERE seq > ?';
    return (this.db.prepare(sql).get(seq) as { n: number }).n;
  }

  /** The last local row of `name` known to be copied (0 when none). */
  replicationCursor(name: string): number {
    const row = this.db.prepare('SELECT last_seq FROM monitor_replication WHERE name = ?').get(name) as { last_seq: number } | undefined;
    return row?.last_seq ?? 0;
  }

  setReplicationCursor(name: string, seq: number): void {
    this.db.prepare('INSERT INTO monitor_replication (name, last_seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_seq = excluded.last_seq').run(name, seq);
  }

  close(): void {
    this.db.close();
  }
}

function probeWhere(q: ProbeQuery): { where: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  for (const key of ['target', 'probe', 'location'] as const) {
    if (q[key] !== undefined) {
      parts.push(`${key} = ?`);
      args.push(q[key]);
    }
  }
  if (q.sinceMs !== undefined) {
    parts.push('t_wall_ms >= ?');
    args.push(q.sinceMs);
  }
  if (q.untilMs !== undefined) {
    parts.push('t_wall_ms <= ?');
    args.push(q.untilMs);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

function toProbeRow(r: ProbeDbRow): ProbeRow {
  return {
    id: r.id,
    target: r.target,
    probe: r.probe,
    location: r.location,
    wallMs: r.t_wall_ms,
    ok: r.ok === 1,
    errorClass: r.error_class as ProbeRow['errorClass'],
    ttftMs: r.ttft_ms,
    tpotMs: r.tpot_ms,
    e2eMs: r.e2e_ms,
    outputTokens: r.output_tokens,
  };
}
