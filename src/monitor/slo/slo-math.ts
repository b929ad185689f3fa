/**
 * SLO arithmetic, pure: which probe is good, attainment, error budget and burn rates, and the multi-window,
 * multi-burn-rate alert conditions of the Google SRE workbook (page: 1 h and 5 min above 14.4x; ticket: 6 h and
 * 30 min above 6x).
 */
import type { MonitorSlo } from '../config/monitor-config.js';

export interface ProbeFigures {
  ok: boolean;
  ttftMs: number | null;
  tpotMs: number | null;
  e2eMs: number | null;
}

/** Good: succeeded and met every limit given. TPOT is n/a for one-token answers and then meets its limit. */
export function isGood(p: ProbeFigures, slo: Pick<MonitorSlo, 'ttftMs' | 'tpotMs' | 'e2eMs'>): boolean {
  if (!p.ok) return false;
  if (slo.ttftMs !== null && (p.ttftMs === null || p.ttftMs > slo.ttftMs)) return false;
  if (slo.e2eMs !== null && (p.e2eMs === null || p.e2eMs > slo.e2eMs)) return false;
  if (slo.tpotMs !== null && p.tpotMs !== null && p.tpotMs > slo.tpotMs) return false;
  return true;
}

export interface Counts {
  total: number;
  good: number;
}

export function countGood(probes: Iterable<ProbeFigures>, slo: Pick<MonitorSlo, 'ttftMs' | 'tpotMs' | 'e2eMs'>): Counts {
  let total = 0;
  let good = 0;
  for (const p of probes) {
    total++;
    if (isGood(p, slo)) good++;
  }
  return { total, good };
}

/** Share of good probes; null without probes. */
export function attainment(c: Counts): number | null {
  return c.total === 0 ? null : c.good / c.total;
}

/**
 * How fast the error budget is spent: the bad share over the allowed bad share (1 - objective). 1 spends the
 * budget exactly over the SLO window; 14.4 spends 2 % of a 30-day budget in one hour. Null without probes.
 * @example burnRate({ total: 100, good: 90 }, 0.99) // 10
 */
export function burnRate(c: Counts, objective: number): number | null {
  if (c.total === 0) return null;
  return (c.total - c.good) / c.total / (1 - objective);
}

/** Share of the window's error budget left: 1 untouched, 0 spent, negative overspent. Null without probes. */
export function budgetRemaining(c: Counts, objective: number): number | null {
  const burn = burnRate(c, objective);
  return burn === null ? null : 1 - burn;
}

export const BURN_WINDOWS = [
  { name: 'page', long: { label: '1h', ms: 3_600_000 }, short: { label: '5m', ms: 300_000 }, factor: 14.4 },
  { name: 'ticket', long: { label: '6h', ms: 21_600_000 }, short: { label: '30m', ms: 1_800_000 }, factor: 6 },
] as const;

export type BurnSeverity = (typeof BURN_WINDOWS)[number]['name'];
export type WindowLabel = '5m' | '30m' | '1h' | '6h';
export const WINDOW_MS: Record<WindowLabel, number> = { '5m': 300_000, '30m': 1_800_000, '1h': 3_600_000, '6h': 21_600_000 };

/**
 * Which burn-rate alerts hold: both windows of a pair above its factor, with at least `minProbes` probes in the
 * long window (a handful of probes must not page anyone).
 */
export function burnAlerts(counts: Record<WindowLabel, Counts>, objective: number, minProbes: number): Record<BurnSeverity, boolean> {
  const out = { page: false, ticket: false };
  for (const w of BURN_WINDOWS) {
    const long = counts[w.long.label];
    const short = counts[w.short.label];
    if (long.total < minProbes) continue;
    const bl = burnRate(long, objective);
    const bs = burnRate(short, objective);
    out[w.name] = bl !== null && bs !== null && bl > w.factor && bs > w.factor;
  }
  return out;
}

/** k of the last n probes failed (fewer than n probes: k of those). */
export function failingKofN(okInOrder: readonly boolean[], k: number, n: number): boolean {
  const last = okInOrder.slice(-n);
  return last.filter((ok) => !ok).length >= k;
}
