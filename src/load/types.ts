import type { RequestRecord } from '../measure/record.js';

/** trace: the send times of a replayed trace (`traceMs`). */
export type Arrival = 'poisson' | 'constant' | 'gamma' | 'trace';

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
      /** With arrival 'trace': send times in ms from the start, non-decreasing; `rate` is their mean rate. */
      traceMs?: readonly number[];
    };

/** One scheduled request: the global sequence index and when it should be sent (ms on the run clock). */
export interface ScheduledRequest {
  index: number;
  warmup: boolean;
  /** Intended send time on the run clock; for closed loops, the moment a slot became free. */
  t_sched: number;
}

/**
 * One of `count` processes sharing one global schedule: it sends the schedule indices i with i % count === index,
 * at the same intended times, and holds its share of a closed loop's concurrency.
 */
export interface Shard {
  index: number;
  count: number;
}

export interface RunLimits {
  /** Measured requests to send (excluding warm-up); null for no count limit. */
  requests: number | null;
  /** Stop sending new requests after this many seconds; in-flight ones finish (or are aborted at the grace end). */
  durationS: number | null;
  /** Requests sent first and excluded from measurement. */
  warmup: number;
}

/**
 * Sends one scheduled unit and resolves with its record. A unit of several requests (a conversation's turns) hands
 * the records of all but its last to `emit` as they finish, and resolves with the last.
 */
export type SendFn = (req: ScheduledRequest, signal: AbortSignal, emit: (record: RequestRecord) => void) => Promise<RequestRecord>;
