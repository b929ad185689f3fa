/** Server-side time series from results.server, read generically: whatever well-formed series exist. */
import { round } from './distribution-chart.js';
import { MAX_TIME_POINTS } from './time-series.js';

export interface ServerSeriesData {
  /** Series name as the server-metrics summary gave it (untrusted text). */
  name: string;
  /** s from the window start. */
  x: number[];
  y: number[];
}

/**
 * Each `server.series[name]` that is an array of [t_ms, value] pairs becomes a chart series (pairs that are
 * not two finite numbers are skipped; empty series dropped), thinned by a fixed stride past
 * MAX_TIME_POINTS. Names sorted for a stable page. Empty when there is no server section.
 */
export function serverSeries(server: unknown, originMs: number): ServerSeriesData[] {
  const series = isObject(server) ? server.series : undefined;
  if (!isObject(series)) return [];
  const out: ServerSeriesData[] = [];
  for (const name of Object.keys(series).sort()) {
    const raw = series[name];
    if (!Array.isArray(raw)) continue;
    const points = raw.filter(
      (p): p is [number, number] => Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]),
    );
    if (points.length === 0) continue;
    points.sort((a, b) => a[0] - b[0]);
    const stride = Math.ceil(points.length / MAX_TIME_POINTS);
    const kept = stride > 1 ? points.filter((_, i) => i % stride === 0) : points;
    // Shares (KV-cache usage, 0-1) are drawn in percent, and every chart's title carries its unit.
    const share = /kv_cache|usage|utilization|ratio/.test(name) && kept.every(([, v]) => v >= 0 && v <= 1);
    const unit = share ? '%' : /running|waiting|swapped|requests/.test(name) ? 'requests' : '';
    out.push({
      name: unit ? `${name} (${unit})` : name,
      x: kept.map(([t]) => round((t - originMs) / 1000)),
      y: kept.map(([, v]) => round(share ? v * 100 : v)),
    });
  }
  return out;
}

/** Scalar figures of the server section (series left out), flattened to dotted paths for a table. */
export function serverScalars(server: unknown, limit = 80): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (value: unknown, path: string, depth: number): void => {
    if (out.length >= limit) return;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      out.push([path, typeof value === 'number' ? formatScalar(value) : String(value)]);
    } else if (Array.isArray(value)) {
      if (value.every((v) => typeof v === 'string' || typeof v === 'number')) out.push([path, value.join(', ')]);
    } else if (isObject(value) && depth < 4) {
      for (const key of Object.keys(value)) {
        if (depth === 0 && (key === 'series' || key === 'engine_details')) continue;
        walk(value[key], path ? `${path}.${key}` : key, depth + 1);
      }
    }
  };
  walk(server, '', 0);
  return out;
}

function formatScalar(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
