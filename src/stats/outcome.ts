/**
 * Whether a run failed as a measurement of the server: every request failed, or more than the allowed share.
 * A failed run still has its records and figures; the verdict makes it visible to people and to CI (exit code).
 */

export interface RunOutcome {
  /** True when every measured request failed, or the error rate is above `max_error_rate`. */
  failed: boolean;
  /** Plain words: why the run failed or was stopped; null when it did not. */
  reason: string | null;
  /** The allowed share of failed requests (0-1). */
  max_error_rate: number;
  /** True when the run was stopped early because it was clearly failing (the circuit breaker). */
  stopped_early: boolean;
}

/** Completed requests the circuit breaker waits for before it may stop a run. */
export const BREAKER_MIN_REQUESTS = 20;

/**
 * The run's verdict from its summary figures.
 *
 * @example runOutcome({ total: 40, failed: 40, errorRate: 1 }, 0.1, false).reason // "all 40 requests failed"
 */
export function runOutcome(
  counts: { total: number; failed: number; errorRate: number | null },
  maxErrorRate: number,
  stoppedEarly: boolean,
): RunOutcome {
  const pct = (x: number): string => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
  let reason: string | null = null;
  if (counts.total > 0 && counts.failed === counts.total) reason = `all ${counts.total} requests failed`;
  else if (counts.errorRate !== null && counts.errorRate > maxErrorRate) {
    reason = `${counts.failed} of ${counts.total} requests failed (${pct(counts.errorRate)}, above --max-error-rate ${pct(maxErrorRate)})`;
  }
  if (stoppedEarly) {
    reason = `stopped early: ${reason ?? 'the error rate was clearly above --max-error-rate'}; the figures describe the failures, not the server's speed`;
  }
  return { failed: reason !== null, reason, max_error_rate: maxErrorRate, stopped_early: stoppedEarly };
}

/**
 * The circuit breaker's test: after enough completed requests, is the error rate above the limit beyond doubt?
 * Uses the Wilson score interval's lower bound (95%), so a short unlucky streak does not stop a healthy run.
 *
 * @example clearlyFailing(30, 20, 0.1) // true
 */
export function clearlyFailing(completed: number, failed: number, maxErrorRate: number): boolean {
  if (completed < BREAKER_MIN_REQUESTS) return false;
  const z = 1.96;
  const p = failed / completed;
  const denom = 1 + (z * z) / completed;
  const centre = p + (z * z) / (2 * completed);
  const margin = z * Math.sqrt((p * (1 - p)) / completed + (z * z) / (4 * completed * completed));
  return (centre - margin) / denom > maxErrorRate;
}
