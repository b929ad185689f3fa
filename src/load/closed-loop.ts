import type { Clock } from '../measure/clock.js';
import type { RunControl } from './notifier.js';
import type { RequestPool } from './request-pool.js';
import type { Shard } from './types.js';

export interface ClosedLoopOptions {
  /** Requests kept in flight. */
  workers: number;
  /** Global index of the first request. */
  firstIndex: number;
  /** Requests to send; null for no count limit (then `deadlineMs` or a stop ends the loop). */
  count: number | null;
  warmup: boolean;
  /** No request is sent at or after this run-clock time; null for none. */
  deadlineMs: number | null;
  /** Send only this shard's indices of the global sequence (count is then global). */
  shard?: Shard;
}

/**
 * Closed loop: `workers` workers each send the next index as soon as their previous request finished, so t_sched is
 * the moment the slot became free. Resolves when every worker is done (its last request settled); returns the number
 * of requests sent.
 */
export async function runClosedLoop(clock: Clock, pool: RequestPool, control: RunControl, options: ClosedLoopOptions): Promise<number> {
  const { index: k, count: n } = options.shard ?? { index: 0, count: 1 };
  // This shard's share of a global count: the indices k, k + n, k + 2n, ... below it.
  const count = options.count === null ? null : Math.max(0, Math.ceil((options.count - k) / n));
  if (count === 0 || options.workers < 1) return 0;
  let issued = 0;
  const more = (): boolean =>
    !control.stopped &&
    (count === null || issued < count) &&
    (options.deadlineMs === null || clock.now() < options.deadlineMs);
  const worker = async (): Promise<void> => {
    while (more()) {
      const index = options.firstIndex + k + n * issued++;
      await pool.launch({ index, warmup: options.warmup, t_sched: clock.now() });
    }
  };
  const workers = Math.max(1, Math.min(options.workers, count ?? options.workers));
  await Promise.all(Array.from({ length: workers }, worker));
  return issued;
}
