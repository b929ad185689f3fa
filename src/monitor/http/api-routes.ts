import { probesOf } from '../config/monitor-config.js';
import { probeSeries } from '../series/probe-series.js';
import { BadRequest, type MonitorServerDeps, type Route } from './route-types.js';

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 100_000;
const HOUR_MS = 3_600_000;

/** The JSON API: what the dashboard and scripts read. Times are wall-clock ms since the Unix epoch. */
export function apiRoutes(d: MonitorServerDeps): Record<string, Route> {
  return {
    '/api/targets': () =>
      d.config.targets.map((t) => ({
        name: t.name,
        url: publicUrl(t.url),
        api: t.api,
        model: t.model,
        labels: t.labels,
        location: d.location,
        probes: probesOf(d.config, t.name).map((p) => {
          const recent = d.recent.of(t.name, p.name);
          const last = recent[recent.length - 1] ?? null;
          return {
            probe: p.name,
            every_ms: p.everyMs,
            last,
            recent_success_ratio: recent.length ? recent.filter((r) => r.ok).length / recent.length : null,
            recent: recent.length,
          };
        }),
      })),
    '/api/probes': (url) => {
      const q = url.searchParams;
      const limit = intParam(q.get('limit'), 'limit') ?? DEFAULT_LIMIT;
      if (limit > MAX_LIMIT) throw new BadRequest(`limit: at most ${MAX_LIMIT}`);
      return d.store.probes({
        ...optional('target', q.get('target')),
        ...optional('probe', q.get('probe')),
        ...optional('location', q.get('location')),
        ...optionalNum('sinceMs', intParam(q.get('since'), 'since')),
        ...optionalNum('untilMs', intParam(q.get('until'), 'until')),
        limit,
      });
    },
    '/api/probes/': (url) => {
      const id = decodeURIComponent(url.pathname.slice('/api/probes/'.length));
      const record = d.store.record(id);
      if (!record) throw Object.assign(new Error(`no probe ${id}`), { status: 404 });
      return { id, record };
    },
    '/api/series': (url) => {
      const q = url.searchParams;
      const target = q.get('target');
      const probe = q.get('probe');
      if (!target || !probe) throw new BadRequest('target and probe are required');
      const until = intParam(q.get('until'), 'until') ?? Date.now();
      const since = intParam(q.get('since'), 'since') ?? until - HOUR_MS;
      if (since >= until) throw new BadRequest('since must be before until');
      const step = intParam(q.get('step'), 'step') ?? Math.max(1000, Math.ceil((until - since) / 120));
      if ((until - since) / step > 10_000) throw new BadRequest('step: at most 10000 points per series');
      const location = q.get('location') ?? d.location;
      const rows = d.store.probes({ target, probe, location, sinceMs: since, untilMs: until });
      return {
        target,
        probe,
        since,
        until,
        step,
        points: probeSeries(rows, since, until, step),
        // Older than the retention: one point per hour (see store/retention.ts).
        rollups: d.store.probeRollups(target, probe, location, since, until),
        server: d.store.scrapes(target, since, until),
      };
    },
    '/api/slos': () => d.slos.all(),
    '/api/locations': () => {
      const rows = d.locations();
      return {
        shared: rows !== null,
        locations: (rows ?? []).map((r) => ({
          target: r.target,
          probe: r.probe,
          location: r.location,
          last: r.probes[r.probes.length - 1] ?? null,
          recent: r.probes.length,
          recent_success_ratio: r.probes.length ? r.probes.filter((p) => p.ok).length / r.probes.length : null,
        })),
      };
    },
    '/api/alerts': () => ({ firing: d.alerts.firing(), history: d.alerts.history(), pending_notifications: d.alerts.pendingNotifications() }),
  };
}

/** A target URL without user info (a key may hide there). */
function publicUrl(u: string): string {
  const url = new URL(u);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/+$/, '');
}

function intParam(v: string | null, name: string): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new BadRequest(`${name}: expected a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

const optional = <K extends string>(k: K, v: string | null): Partial<Record<K, string>> => (v ? ({ [k]: v } as Record<K, string>) : {});
const optionalNum = <K extends string>(k: K, v: number | undefined): Partial<Record<K, number>> => (v !== undefined ? ({ [k]: v } as Record<K, number>) : {});
