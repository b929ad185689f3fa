import type { Clock } from '../measure/clock.js';
import { createArrivalSchedule, type RateProfile } from './arrivals.js';
import { nextEvent, type RunControl } from './notifier.js';
import { waitUntil } from './precise-timer.js';
import type { RequestPool } from './request-pool.js';
import type { Shard } from './types.js';

export interface OpenLoopOptions {
  profile: RateProfile;
  seed: number;
  /** Global index of the first measured request (schedule index 0). */
  firstIndex: number;
  /** Run-clock time of schedule time 0. */
  startMs: number;
  /** Requests to send; null for no count limit. */
  count: number | null;
  /** No request is sent at or after this run-clock time; null for none. */
  deadlineMs: number | null;
  /** See precise-timer.ts. */
  spinMs: number;
  /** Send only this shard's indices of the global schedule (count is then global). */
  shard?: Shard;
}

export interface OpenLoopOutcome {
  sent: number;
  /** Arrivals that found maxConcurrency requests in flight and waited for a slot. */
  cappedArrivals: number;
  /** Arrivals due before the deadline that never got a slot before it. */
  unsentArrivals: number;
}

/**
 * Open loop: fires request i at startMs + schedule(i) whatever the server does, except that at most
 * `maxConcurrency` are in flight; an arrival that finds the cap full waits for a slot (in order), and its
 * t_send - t_sched shows the wait. Resolves once sending is over (requests may still be in flight).
 */
export async function runOpenLoop(clock: Clock, pool: RequestPool, control: RunControl, options: OpenLoopOptions): Promise<OpenLoopOutcome> {
  const { profile, count, deadlineMs } = options;
  const cap = profile.maxConcurrency;
  const schedule = createArrivalSchedule(profile, options.seed);
  const outcome: OpenLoopOutcome = { sent: 0, cappedArrivals: 0, unsentArrivals: 0 };
  const shard = options.shard ?? { index: 0, count: 1 };
  for (let j = 0; count === null || j < count; j++) {
    const tSched = options.startMs + schedule.next().value;
    if (deadlineMs !== null && tSched >= deadlineMs) break;
    // Other shards send the other indices, at these same intended times.
    if (j % shard.count !== shard.index) continue;
    await waitUntil(clock, tSched, control, options.spinMs);
    if (control.stopped) break;
    if (cap !== null && pool.size >= cap) {
      outcome.cappedArrivals++;
      while (pool.size >= cap && !control.stopped && (deadlineMs === null || clock.now() < deadlineMs)) {
        await nextEvent([pool.settled, control.stopping], deadlineMs === null ? null : deadlineMs - clock.now());
      }
      if (control.stopped) break;
      if (deadlineMs !== null && clock.now() >= deadlineMs) {
        // The duration ended while this arrival waited: it and the rest due before the end are never sent.
        outcome.unsentArrivals = 1 + countDue(schedule, options.startMs, deadlineMs, count === null ? null : count - j - 1);
        break;
      }
    }
    void pool.launch({ index: options.firstIndex + j, warmup: false, t_sched: tSched });
    outcome.sent++;
  }
  return outcome;
}

/** How many of the remaining scheduled arrivals (at most `limit`) fall before the deadline. */
function countDue(schedule: Iterator<number>, startMs: number, deadlineMs: number, limit: number | null): number {
  let n = 0;
  while (limit === null || n < limit) {
    const next = schedule.next();
    if (next.done || startMs + next.value >= deadlineMs) break;
    n++;
  }
  return n;
}
