/** Whether a request meets the run's SLOs (the basis of goodput and attainment). */
import type { RequestRecord } from '../measure/record.js';
import type { Slo } from '../config/slo.js';
import { e2eMs, maxStallMs, tpotMs, ttfoMs, ttftMs } from './request-metrics.js';

export interface GoodOptions {
  /** Count a request whose TPOT is n/a (N - n1 < 1) as meeting a TPOT SLO. Default false. */
  tpotNaIsGood?: boolean;
}

/**
 * A request is good when it succeeded and meets every SLO given. Failures are never good.
 * A missing metric (e.g. no TTFO because the answer was only reasoning) fails its SLO, except an n/a
 * TPOT when `tpotNaIsGood` is set, and the ITL SLO on a single-chunk request (no gap to exceed it).
 *
 * @example isGood(record, { ttft_ms: 500, tpot_ms: 50 })
 */
export function isGood(r: RequestRecord, slo: Slo, options: GoodOptions = {}): boolean {
  if (!r.ok) return false;
  if (slo.ttft_ms !== undefined && !within(ttftMs(r), slo.ttft_ms)) return false;
  if (slo.ttfo_ms !== undefined && !within(ttfoMs(r), slo.ttfo_ms)) return false;
  if (slo.e2e_ms !== undefined && !within(e2eMs(r), slo.e2e_ms)) return false;
  if (slo.tpot_ms !== undefined) {
    const tpot = tpotMs(r);
    if (tpot === null ? !options.tpotNaIsGood : tpot > slo.tpot_ms) return false;
  }
  if (slo.itl_ms !== undefined) {
    const stall = maxStallMs(r);
    if (stall !== null && stall > slo.itl_ms) return false;
  }
  return true;
}

function within(value: number | null, limit: number): boolean {
  return value !== null && value <= limit;
}
