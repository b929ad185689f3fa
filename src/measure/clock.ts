import { performance } from 'node:perf_hooks';

/** A run's monotonic clock: milliseconds since the run's origin. One per run, passed in, never global. */
export interface Clock {
  now(): number;
  /** performance.now() value of the origin, to convert other monotonic readings. */
  readonly origin: number;
}

export function createClock(origin: number = performance.now()): Clock {
  return {
    origin,
    now: () => performance.now() - origin,
  };
}
