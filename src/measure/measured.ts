/**
 * Which records a run's figures are computed from: the one selection that the summary, compare, report and
 * fidelity all use, so they can never disagree about what was measured.
 *
 * - Warm-up requests are left out of every figure (counted as `warmupExcluded`).
 * - With an explicit window, only measured requests sent inside it count; without one, the window runs from the
 *   first measured `t_send` to the last measured `t_end`.
 * - Requests the client itself cut off (Ctrl-C, the end of a --duration grace: error class `aborted`) say nothing
 *   about the server: they are kept apart, never counted as failures.
 */
import type { RequestRecord } from './record.js';

/** Measurement window, ms on the run clock, start <= end. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** A window as results.json states it. */
export interface StatedWindow {
  start_ms: number;
  end_ms: number;
  source: 'explicit' | 'measured_requests';
}

export interface MeasuredSelection {
  window: TimeWindow;
  windowSource: StatedWindow['source'];
  /** Window length in seconds: the denominator of every rate. */
  windowS: number;
  /** Measured requests sent inside the window, cut-off ones included. */
  inWindow: RequestRecord[];
  /** inWindow without the cut-off requests: succeeded + failed. */
  counted: RequestRecord[];
  succeeded: RequestRecord[];
  failed: RequestRecord[];
  cutOff: RequestRecord[];
  warmupExcluded: number;
  outsideWindowExcluded: number;
}

/**
 * Selects the measured records of a run. `window` is an explicit window (from the caller, or results.json's stated
 * window when its source is `explicit`); anything else means the default window.
 *
 * @example selectMeasured(records).succeeded.length
 */
export function selectMeasured(records: readonly RequestRecord[], window?: TimeWindow | StatedWindow | null): MeasuredSelection {
  const measured = records.filter((r) => !r.warmup);
  const explicit = explicitWindow(window);
  const w = explicit ?? defaultWindow(measured);
  const inWindow = explicit ? measured.filter((r) => r.t_send >= w.start && r.t_send <= w.end) : measured;
  const cutOff = inWindow.filter(isCutOff);
  const counted = cutOff.length > 0 ? inWindow.filter((r) => !isCutOff(r)) : inWindow;
  return {
    window: w,
    windowSource: explicit ? 'explicit' : 'measured_requests',
    windowS: Math.max(0, w.end - w.start) / 1000,
    inWindow,
    counted,
    succeeded: counted.filter((r) => r.ok),
    failed: counted.filter((r) => !r.ok),
    cutOff,
    warmupExcluded: records.length - measured.length,
    outsideWindowExcluded: measured.length - inWindow.length,
  };
}

/** A request the client cut off itself (Ctrl-C, the end of a duration's grace). */
export function isCutOff(r: RequestRecord): boolean {
  return !r.ok && r.error?.class === 'aborted';
}

/** First measured t_send to last measured t_end; an empty [0, 0] window when nothing was measured. */
export function defaultWindow(measured: readonly RequestRecord[]): TimeWindow {
  if (measured.length === 0) return { start: 0, end: 0 };
  let start = Infinity;
  let end = -Infinity;
  for (const r of measured) {
    start = Math.min(start, r.t_send);
    end = Math.max(end, r.t_end);
  }
  return { start, end };
}

function explicitWindow(w: TimeWindow | StatedWindow | null | undefined): TimeWindow | null {
  if (!w) return null;
  if ('source' in w) {
    if (w.source !== 'explicit' || !Number.isFinite(w.start_ms) || !Number.isFinite(w.end_ms)) return null;
    return { start: w.start_ms, end: w.end_ms };
  }
  return Number.isFinite(w.start) && Number.isFinite(w.end) ? w : null;
}
