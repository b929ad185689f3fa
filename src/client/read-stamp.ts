import type { Clock } from '../measure/clock.js';

/**
 * One timestamp per network read. Undici can deliver a single socket read as several body callbacks
 * (one per chunked-encoding chunk); all of them arrived together, so they share the time of the first.
 * The cached value is dropped at the next microtask checkpoint, which Node runs after each socket callback.
 */
export class ReadStamp {
  private t = 0;
  private valid = false;
  private readonly reset = (): void => {
    this.valid = false;
  };

  constructor(private readonly clock: Clock) {}

  /** Arrival time of the read being processed, ms on the run clock. */
  now(): number {
    if (!this.valid) {
      this.t = this.clock.now();
      this.valid = true;
      queueMicrotask(this.reset);
    }
    return this.t;
  }
}
