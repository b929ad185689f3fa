import type pg from 'pg';
import { connectPg } from '../../store/postgres/pg-connect.js';
import { redactPgUrl } from '../../store/postgres/pg-url.js';
import type { MonitorStore } from './monitor-store.js';

/** Rows copied per statement. */
const BATCH = 500;
const MAX_BACKOFF_MS = 30_000;

/** One location's recent probes of a target, as the shared store has them. */
export interface LocationProbes {
  target: string;
  probe: string;
  location: string;
  /** Oldest first. */
  probes: Array<{ ok: boolean; wallMs: number; ttftMs: number | null; errorClass: string | null }>;
}

export interface ReplicatorStatus {
  connected: boolean;
  /** Local probes and scrapes not yet in the shared store. */
  pendingProbes: number;
  pendingScrapes: number;
  copiedProbes: number;
  lastError: string | null;
}

/**
 * Copies this instance's probes and scrapes from its own store into a shared PostgreSQL database, in order, a batch
 * at a time, remembering in the local store how far it got. When the database is away the local store is the buffer:
 * nothing is lost, copying resumes where it stopped (also after a restart), and rows already there are skipped by
 * their ids, so nothing is duplicated either.
 */
export class SharedReplicator {
  #pool: pg.Pool | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  #failures = 0;
  #copied = 0;
  #lastError: string | null = null;

  constructor(
    private readonly local: MonitorStore,
    private readonly url: string,
    private readonly options: { everyMs: number; log: (line: string) => void; onStatus?: (s: ReplicatorStatus) => void },
  ) {}

  start(): void {
    this.#schedule(0);
  }

  status(): ReplicatorStatus {
    return {
      connected: this.#pool !== null && this.#lastError === null,
      pendingProbes: this.local.countAfter('probes', this.local.replicationCursor('probes')),
      pendingScrapes: this.local.countAfter('scrapes', this.local.replicationCursor('scrapes')),
      copiedProbes: this.#copied,
      lastError: this.#lastError,
    };
  }

  /** Copies everything pending now (once); resolves false when the database could not take it. */
  async flush(): Promise<boolean> {
    while (this.#running) await this.#running;
    this.#running = this.#copy();
    try {
      await this.#running;
      return this.#lastError === null;
    } finally {
      this.#running = null;
    }
  }

  /**
   * The latest `perLocation` probes of every target, probe and location in the shared store (newest last), probed
   * since `sinceMs`; null when the database cannot be read now.
   */
  async latestByLocation(sinceMs: number, perLocation: number): Promise<LocationProbes[] | null> {
    if (!this.#pool) return null;
    try {
      const { rows } = await this.#pool.query<{ target: string; probe: string; location: string; ok: boolean; t_wall_ms: number; ttft_ms: number | null; error_class: string | null }>(
        `SELECT target, probe, location, ok, t_wall_ms, ttft_ms, error_class FROM (
           SELECT target, probe, location, ok, t_wall_ms, ttft_ms, error_class,
                  row_number() OVER (PARTITION BY target, probe, location ORDER BY t_wall_ms DESC) AS rn
           FROM monitor_probes WHERE t_wall_ms >= $1) recent
         WHERE rn <= $2 ORDER BY target, probe, location, t_wall_ms`,
        [sinceMs, perLocation],
      );
      const out = new Map<string, LocationProbes>();
      for (const r of rows) {
        const key = `${r.target}\u0000${r.probe}\u0000${r.location}`;
        let entry = out.get(key);
        if (!entry) out.set(key, (entry = { target: r.target, probe: r.probe, location: r.location, probes: [] }));
        entry.probes.push({ ok: r.ok, wallMs: r.t_wall_ms, ttftMs: r.ttft_ms, errorClass: r.error_class });
      }
      return [...out.values()];
    } catch {
      return null;
    }
  }

  /** Stops the timer, tries a last copy, and closes the connection; what is left stays buffered locally. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.flush().catch(() => false);
    await this.#pool?.end().catch(() => undefined);
    this.#pool = null;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.flush().then(() => {
        const backoff = this.#failures === 0 ? this.options.everyMs : Math.min(MAX_BACKOFF_MS, this.options.everyMs * 2 ** Math.min(this.#failures, 6));
        this.#schedule(backoff);
      });
    }, delayMs);
  }

  async #copy(): Promise<void> {
    try {
      this.#pool ??= (await connectPg(this.url)).pool;
      for (;;) {
        const probes = this.local.probesAfter(this.local.replicationCursor('probes'), BATCH);
        if (probes.length === 0) break;
        await this.#pool.query(
          `INSERT INTO monitor_probes (id, target, probe, location, t_wall_ms, ok, error_class, ttft_ms, tpot_ms, e2e_ms, output_tokens, record_json, chunks)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::bool[], $7::text[], $8::float8[], $9::float8[], $10::float8[], $11::int[], $12::text[], $13::bytea[])
           ON CONFLICT (id) DO NOTHING`,
          [
            probes.map((p) => p.id), probes.map((p) => p.target), probes.map((p) => p.probe), probes.map((p) => p.location),
            probes.map((p) => p.t_wall_ms), probes.map((p) => p.ok === 1), probes.map((p) => p.error_class), probes.map((p) => p.ttft_ms),
            probes.map((p) => p.tpot_ms), probes.map((p) => p.e2e_ms), probes.map((p) => p.output_tokens), probes.map((p) => p.record_json),
            probes.map((p) => p.chunks),
          ],
        );
        this.local.setReplicationCursor('probes', probes[probes.length - 1]!.seq);
        this.#copied += probes.length;
      }
      for (;;) {
        const scrapes = this.local.scrapesAfter(this.local.replicationCursor('scrapes'), BATCH);
        if (scrapes.length === 0) break;
        await this.#pool.query(
          `INSERT INTO monitor_scrapes (id, target, location, t_wall_ms, ok, concepts_json)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bool[], $6::text[]) ON CONFLICT (id) DO NOTHING`,
          [
            scrapes.map((s) => `${s.location}/${s.target}/${s.t_wall_ms}`), scrapes.map((s) => s.target), scrapes.map((s) => s.location),
            scrapes.map((s) => s.t_wall_ms), scrapes.map((s) => s.ok === 1), scrapes.map((s) => s.concepts_json),
          ],
        );
        this.local.setReplicationCursor('scrapes', scrapes[scrapes.length - 1]!.seq);
      }
      if (this.#lastError !== null) this.options.log(`shared store ${this.#location()}: reachable again; caught up`);
      this.#lastError = null;
      this.#failures = 0;
    } catch (err) {
      const message = (err as Error).message;
      if (this.#lastError === null) this.options.log(`shared store ${this.#location()}: ${message}; probes are kept locally and copied when it is back`);
      this.#lastError = message;
      this.#failures++;
    }
    this.options.onStatus?.(this.status());
  }

  #location(): string {
    return redactPgUrl(this.url);
  }
}
