/**
 * The load generator's own health over a run's measured phase: whether its figures measure the server or the
 * client. Judged by load/fidelity.ts; carried in every run summary.
 */
/** p50 / p99 / max of a lag, ms. */
export interface LagSummary {
  p50: number;
  p99: number;
  max: number;
}

export interface Fidelity {
  /** Schedule lag = t_send - t_sched over measured requests, ms. */
  schedule_lag_ms: LagSummary;
  /** Event-loop delay while running, ms (perf_hooks.monitorEventLoopDelay). */
  event_loop_lag_ms: LagSummary;
  /** Achieved send rate over the measured requests, requests/s. */
  achieved_rate: number;
  /** Target rate for open-loop profiles, null for closed loops. */
  target_rate: number | null;
  /** Requests that were sent later than the lag threshold. */
  late_requests: number;
  /** Client process CPU use over the run, fraction of one core. */
  client_cpu: number;
  /** False when status is invalid. */
  valid: boolean;
  /** Why the run is invalid (the client fell behind), empty when valid. */
  invalid_reasons: string[];
  /**
   * valid; degraded (the figures hold, but the client's timing error is a visible share of ITL or TTFT);
   * invalid (they measure the client). Absent in results written before it existed.
   */
  status?: 'valid' | 'degraded' | 'invalid';
  /** How late a timestamp taken while streams were open may be: the event-loop delay p99, ms. */
  timing_uncertainty_ms?: number;
  /** Why the run is degraded. */
  degraded_reasons?: string[];
}
