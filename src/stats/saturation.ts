/**
 * Did the server keep up with an open-loop load? At a fixed arrival rate a server that cannot keep up queues
 * requests without bound: served rate falls below the offered rate and TTFT grows over the run. Detected from
 * the records by a trend with a confidence bound (not a fixed cut-off), so a noisy healthy run is not flagged.
 * Pure.
 */
import type { RequestRecord } from '../measure/record.js';

export interface Saturation {
  /** Measured requests sent per second: (n - 1) / span of their send times. */
  offered_rate_per_s: number | null;
  /** Measured requests that finished, per second of the window. */
  served_rate_per_s: number | null;
  /** TTFT growth over the run from a least-squares fit on send time (ms per second of sending). */
  ttft_slope_ms_per_s: number | null;
  /** The slope's lower 95% bound: above 0, the growth is not noise. */
  ttft_slope_low_ms_per_s: number | null;
  /** TTFT median of the first and last third of the requests by send time. */
  ttft_p50_first_third_ms: number | null;
  ttft_p50_last_third_ms: number | null;
  /** True when TTFT grew beyond doubt and materially while the served rate fell short of the offered one. */
  saturated: boolean;
  /** Plain words when saturated, else null. */
  reason: string | null;
}

/** Fewer succeeded requests than this: no verdict. */
const MIN_REQUESTS = 12;

/**
 * @example saturation(counted, served, true).reason // "the server did not keep up: it served 9.6 req/s of the 20.0 offered; ..."
 */
export function saturation(counted: readonly RequestRecord[], servedRate: number | null, openLoop: boolean): Saturation | null {
  if (!openLoop) return null;
  const points = counted.filter((r) => r.ok && r.chunks.length > 0).map((r) => ({ t_send: r.t_send, ttft_ms: r.chunks[0]!.t - r.t_send }));
  return saturationFromPoints(points, spanRate(counted.map((r) => r.t_send)), servedRate);
}

/** One succeeded request for the trend: when it was sent and its TTFT. */
export interface TtftPoint {
  t_send: number;
  ttft_ms: number;
}

/**
 * The verdict from (send time, TTFT) points, which may be a uniform sample of the requests (a run that kept no
 * records), and the offered and served rates of all of them.
 */
export function saturationFromPoints(points: readonly TtftPoint[], offered: number | null, servedRate: number | null): Saturation {
  const ok = [...points].sort((a, b) => a.t_send - b.t_send);
  const base: Saturation = {
    offered_rate_per_s: offered,
    served_rate_per_s: servedRate,
    ttft_slope_ms_per_s: null,
    ttft_slope_low_ms_per_s: null,
    ttft_p50_first_third_ms: null,
    ttft_p50_last_third_ms: null,
    saturated: false,
    reason: null,
  };
  if (ok.length < MIN_REQUESTS) return base;
  const xs = ok.map((r) => (r.t_send - ok[0]!.t_send) / 1000);
  const ys = ok.map((r) => r.ttft_ms);
  const fit = olsSlope(xs, ys);
  const third = Math.floor(ok.length / 3);
  const first = median(ys.slice(0, third));
  const last = median(ys.slice(ys.length - third));
  const span = xs[xs.length - 1]!;
  const growth = fit ? fit.slope * span : 0;
  const shortfall = offered !== null && servedRate !== null && servedRate < 0.95 * offered;
  const saturated = fit !== null && fit.low > 0 && growth > Math.max(20, 0.5 * first) && last > 1.5 * first && shortfall;
  const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  return {
    ...base,
    ttft_slope_ms_per_s: fit?.slope ?? null,
    ttft_slope_low_ms_per_s: fit?.low ?? null,
    ttft_p50_first_third_ms: first,
    ttft_p50_last_third_ms: last,
    saturated,
    reason: saturated
      ? `the server did not keep up with the offered load: it served ${f(servedRate!)} req/s of the ${f(offered!)} offered, ` +
        `and TTFT grew from ${f(first)} ms (first third of requests) to ${f(last)} ms (last third) as requests queued; ` +
        'latencies here describe a growing queue, not a steady state: lower --rate or find the capacity with sweep --find-capacity'
      : null,
  };
}

/** Least-squares slope of y on x with the lower bound of its 95% confidence interval; null when undefined. */
function olsSlope(xs: readonly number[], ys: readonly number[]): { slope: number; low: number } | null {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (sxx <= 0) return null;
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - my - slope * (xs[i]! - mx)) ** 2;
  const se = Math.sqrt(sse / Math.max(1, n - 2) / sxx);
  return { slope, low: slope - 1.96 * se };
}

/** (n - 1) / span of the times, per second; null with fewer than two or a zero span. */
function spanRate(timesMs: readonly number[]): number | null {
  if (timesMs.length < 2) return null;
  const span = Math.max(...timesMs) - Math.min(...timesMs);
  return span > 0 ? ((timesMs.length - 1) * 1000) / span : null;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
