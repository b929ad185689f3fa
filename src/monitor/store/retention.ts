import { probeSeries, type SeriesPoint } from '../series/probe-series.js';
import type { MonitorStore } from './monitor-store.js';

const HOUR_MS = 3_600_000;

/** What one retention pass did. */
export interface RetentionResult {
  /** Raw probes and scrapes rolled up and removed. */
  probes: number;
  scrapes: number;
  /** Hourly rollups written. */
  rollups: number;
}

/**
 * Downsamples instead of dropping: raw probes and scrapes older than the retention (whole hours only, so an hour is
 * rolled up once, complete) become one row per series and hour (probes, failures, TTFT/TPOT/E2E p50/p90/p99; the
 * mean of each scraped concept), then the raw rows go. Rows not yet copied to a shared store are kept until they are.
 */
export function applyRetention(store: MonitorStore, retentionMs: number, nowMs: number, copiedUpTo: { probes: number; scrapes: number } | null): RetentionResult {
  const cutoff = Math.floor((nowMs - retentionMs) / HOUR_MS) * HOUR_MS;
  const db = store.db;
  let rollups = 0;
  const run = db.transaction(() => {
    const limit = copiedUpTo ? 'AND rowid <= @probes' : '';
    const rows = db
      .prepare(`SELECT rowid AS seq, target, probe, location, t_wall_ms AS wallMs, ok, ttft_ms AS ttftMs, tpot_ms AS tpotMs, e2e_ms AS e2eMs
        FROM monitor_probes WHERE t_wall_ms < @cutoff ${limit} ORDER BY target, probe, location, t_wall_ms`)
      .all({ cutoff, probes: copiedUpTo?.probes ?? 0 }) as Array<{ seq: number; target: string; probe: string; location: string; wallMs: number; ok: number; ttftMs: number | null; tpotMs: number | null; e2eMs: number | null }>;
    const groups = new Map<string, typeof rows>();
    for (const r of rows) {
      const key = JSON.stringify([r.target, r.probe, r.location, Math.floor(r.wallMs / HOUR_MS) * HOUR_MS]);
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(r);
    }
    const upsert = db.prepare(`INSERT INTO monitor_probe_rollups (target, probe, location, hour_ms, series_json) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (target, probe, location, hour_ms) DO UPDATE SET series_json = excluded.series_json`);
    for (const [key, group] of groups) {
      const [target, probe, location, hour] = JSON.parse(key) as [string, string, string, number];
      const previous = db.prepare('SELECT series_json FROM monitor_probe_rollups WHERE target = ? AND probe = ? AND location = ? AND hour_ms = ?').get(target, probe, location, hour) as { series_json: string } | undefined;
      // An hour whose rows were held back (not yet copied) may be rolled up in two passes: keep the larger sample's figures, add the counts.
      const [point] = probeSeries(group.map((g) => ({ ...g, ok: g.ok === 1 })), hour, hour + HOUR_MS, HOUR_MS) as [SeriesPoint];
      const merged = previous ? mergePoint(JSON.parse(previous.series_json) as SeriesPoint, point) : point;
      upsert.run(target, probe, location, hour, JSON.stringify(merged));
      rollups++;
    }
    const delProbe = db.prepare('DELETE FROM monitor_probes WHERE rowid = ?');
    for (const r of rows) delProbe.run(r.seq);

    const scrapeLimit = copiedUpTo ? 'AND seq <= @scrapes' : '';
    const scrapes = db
      .prepare(`SELECT seq, target, location, t_wall_ms, concepts_json FROM monitor_scrapes WHERE t_wall_ms < @cutoff ${scrapeLimit}`)
      .all({ cutoff, scrapes: copiedUpTo?.scrapes ?? 0 }) as Array<{ seq: number; target: string; location: string; t_wall_ms: number; concepts_json: string }>;
    const sums = new Map<string, { n: number; sums: Record<string, number>; counts: Record<string, number> }>();
    for (const s of scrapes) {
      const key = JSON.stringify([s.target, s.location, Math.floor(s.t_wall_ms / HOUR_MS) * HOUR_MS]);
      const acc = sums.get(key) ?? sums.set(key, { n: 0, sums: {}, counts: {} }).get(key)!;
      acc.n++;
      for (const [k, v] of Object.entries(JSON.parse(s.concepts_json) as Record<string, number>)) {
        acc.sums[k] = (acc.sums[k] ?? 0) + v;
        acc.counts[k] = (acc.counts[k] ?? 0) + 1;
      }
    }
    const upsertScrape = db.prepare(`INSERT INTO monitor_scrape_rollups (target, location, hour_ms, scrapes, concepts_json) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (target, location, hour_ms) DO UPDATE SET scrapes = scrapes + excluded.scrapes, concepts_json = excluded.concepts_json`);
    for (const [key, acc] of sums) {
      const [target, location, hour] = JSON.parse(key) as [string, string, number];
      const means = Object.fromEntries(Object.entries(acc.sums).map(([k, v]) => [k, v / acc.counts[k]!]));
      upsertScrape.run(target, location, hour, acc.n, JSON.stringify(means));
      rollups++;
    }
    const delScrape = db.prepare('DELETE FROM monitor_scrapes WHERE seq = ?');
    for (const s of scrapes) delScrape.run(s.seq);
    return { probes: rows.length, scrapes: scrapes.length };
  });
  const done = run.immediate();
  return { ...done, rollups };
}

function mergePoint(a: SeriesPoint, b: SeriesPoint): SeriesPoint {
  const bigger = b.probes - b.errors >= a.probes - a.errors ? b : a;
  return { ...bigger, t: a.t, probes: a.probes + b.probes, errors: a.errors + b.errors };
}
