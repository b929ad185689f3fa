import type { RequestRecord } from '../measure/record.js';

export type Arrival = 'poisson' | 'constant' | 'gamma';

export type LoadProfile =
  | { kind: 'concurrency'; concurrency: number }
  | {
      kind: 'rate';
      /** Target requests per second. */
      rate: number;
      arrival: Arrival;
      /** Gamma shape; 1 = Poisson, < 1 burstier, > 1 smoother. */
      burstiness: number;
      /** Cap on requests in flight; arrivals beyond it wait (and their schedule lag shows it). */
      maxConcurrency: number | null;
      /** Linear ramp of the rate from ~0 to `rate` over this many seconds. */
      rampUpS: number;
    };

/** One scheduled request: the global sequence index and when it should be sent (ms on the run clock). */
export interface ScheduledRequest {
  index: number;
  warmup: boolean;
  /** Intended send time on the run clock; for closed loops, the moment a slot became free. */
  t_sched: number;
}

export interface Fidelity {
  /** Schedule lag = t_send - t_sched over measured requests, ms. */
  schedule_lag_ms: { p50: number; p99: number; max: number };
  /** Event-loop delay while running, ms (perf_hooks.monitorEventLoopDelay). */
  event_loop_lag_ms: { p50: number; p99: number; max: number };
  /** Achieved send rate over the measured requests, requests/s. */
  achieved_rate: number;
  /** Target rate for open-loop profiles, null for closed loops. */
  target_rate: number | null;
  /** Requests that were sent later than the lag threshold. */
  late_requests: number;
  /** Client process CPU use over the run, fraction of one core. */
  client_cpu: number;
  valid: boolean;
  /** Why the run is invalid (the client fell behind), empty when valid. */
  invalid_reasons: string[];
}

export interface RunLimits {
  /** Measured requests to send (excluding warm-up); null for no count limit. */
  requests: number | null;
  /** Stop sending new requests after this many seconds; in-flight ones finish (or are aborted at the grace end). */
  durationS: number | null;
  /** Requests sent first and excluded from measurement. */
  warmup: number;
}

export type SendFn = (req: ScheduledRequest, signal: AbortSignal) => Promise<RequestRecord>;
