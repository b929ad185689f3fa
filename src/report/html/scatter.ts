/** Latency of each request over time, thinned deterministically for large runs. */
import type { RequestRecord } from '../../measure/record.js';
import { e2eMs, ttftMs } from '../../stats/request-metrics.js';
import { round } from './distribution-chart.js';

/** At most this many requests are drawn in a scatter chart. */
export const MAX_SCATTER_POINTS = 5000;

export interface ScatterData {
  /** Send time, s from the window start, ascending. */
  x: number[];
  /** Succeeded requests: TTFT and E2E, ms (null for a failed request). */
  ttft: Array<number | null>;
  e2e: Array<number | null>;
  /** Failed requests: time to stream close, ms (null for a succeeded request). */
  failed: Array<number | null>;
  /** Requests in the run; x.length are drawn. */
  total: number;
}

/**
 * One point per request when the run has at most `limit`; otherwise every k-th request by send time plus
 * the slowest ones by TTFT and by E2E (a tenth of the budget each), so outliers stay visible. The same
 * input always gives the same points. Null with no records.
 */
export function scatterData(records: readonly RequestRecord[], originMs: number, limit = MAX_SCATTER_POINTS): ScatterData | null {
  const n = records.length;
  if (n === 0) return null;
  let picked: number[];
  if (n <= limit) {
    picked = Array.from({ length: n }, (_, i) => i);
  } else {
    const tail = Math.floor(limit / 10);
    const keep = new Set<number>(slowest(records, ttftMs, tail).concat(slowest(records, e2eMs, tail)));
    const stride = n / (limit - keep.size);
    for (let k = 0; keep.size < limit && Math.floor(k * stride) < n; k++) keep.add(Math.floor(k * stride));
    picked = [...keep].sort((a, b) => a - b);
  }
  const out: ScatterData = { x: [], ttft: [], e2e: [], failed: [], total: n };
  for (const i of picked) {
    const r = records[i]!;
    out.x.push(round((r.t_send - originMs) / 1000));
    out.ttft.push(r.ok ? roundOrNull(ttftMs(r)) : null);
    out.e2e.push(r.ok ? roundOrNull(e2eMs(r)) : null);
    out.failed.push(r.ok ? null : round(r.t_end - r.t_send));
  }
  return out;
}

/** Indices of the `k` succeeded records with the largest metric (ties broken by index: deterministic). */
function slowest(records: readonly RequestRecord[], metric: (r: RequestRecord) => number | null, k: number): number[] {
  const scored: Array<[number, number]> = [];
  records.forEach((r, i) => {
    const v = r.ok ? metric(r) : null;
    if (v !== null && Number.isFinite(v)) scored.push([v, i]);
  });
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return scored.slice(0, k).map(([, i]) => i);
}

function roundOrNull(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : round(v);
}
