import { performance } from 'node:perf_hooks';

/**
 * Offset that turns this process's performance.now() into the machine-wide monotonic clock
 * (process.hrtime, CLOCK_MONOTONIC on Linux), in ms: mono = performance.now() + offset. Two processes on one
 * machine can then compare times to the microsecond, which Date-based time origins cannot promise.
 * The offset is the tightest of several paired readings.
 */
export function monoOffsetMs(): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    const h = Number(process.hrtime.bigint()) / 1e6;
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      offset = h - (a + b) / 2;
    }
  }
  return offset;
}
