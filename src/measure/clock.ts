import { performance } from 'node:perf_hooks';

/**
 * A run's monotonic clock: milliseconds since the run's origin. One per benchmark session, passed in, never
 * global. Durations come from `now()` only; `epochMs` is the wall-clock anchor that lines up records of
 * different processes, machines and monitor probes.
 */
export interface Clock {
  now(): number;
  /** performance.now() value of the origin, to convert other monotonic readings. */
  readonly origin: number;
  /** Wall-clock time (ms since the Unix epoch) of the origin: performance.timeOrigin + origin. */
  readonly epochMs: number;
}

export function createClock(origin: number = performance.now()): Clock {
  return {
    origin,
    epochMs: Math.round((performance.timeOrigin + origin) * 1000) / 1000,
    now: () => performance.now() - origin,
  };
}
