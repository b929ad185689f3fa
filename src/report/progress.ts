import type { BenchmarkEvent } from '../benchmark/events.js';

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** Measured requests expected, if known. */
  totalRequests: number | null;
  /** Duration bound in seconds, if any. */
  durationS: number | null;
  /** Refresh period. */
  intervalMs?: number;
}

/**
 * A one-line progress bar on a TTY (stderr). It only listens to benchmark events; it never drives the run.
 * Returns the listener and a stop function that clears the line.
 */
export function createProgressRenderer(opts: ProgressOptions): { listener: (e: BenchmarkEvent) => void; stop(): void } {
  const { stream } = opts;
  let phase = 'starting';
  let done = 0;
  let failed = 0;
  let warm = 0;
  let measuringSince: number | null = null;
  let drawn = false;

  const draw = (): void => {
    const elapsed = measuringSince === null ? 0 : (performance.now() - measuringSince) / 1000;
    let frac: number | null = null;
    if (opts.totalRequests) frac = done / opts.totalRequests;
    else if (opts.durationS) frac = Math.min(1, elapsed / opts.durationS);
    const width = 24;
    const bar =
      frac === null ? '' : '[' + '#'.repeat(Math.round(frac * width)).padEnd(width, '.') + '] ';
    const count = opts.totalRequests ? `${done}/${opts.totalRequests}` : `${done}`;
    const warmText = phase === 'warmup' ? ` warm-up ${warm}` : '';
    const line = `${phase.padEnd(9)} ${bar}${count} req  ${failed} failed  ${elapsed.toFixed(1)} s${warmText}`;
    stream.write('\r' + line.slice(0, (stream.columns || 100) - 1) + '\x1b[K');
    drawn = true;
  };
  const timer = setInterval(draw, opts.intervalMs ?? 200);
  timer.unref();

  return {
    listener(e) {
      if (e.type === 'phase') {
        phase = e.phase;
        if (e.phase === 'measuring') measuringSince = performance.now();
      } else if (e.type === 'request') {
        if (e.record.warmup) warm++;
        else {
          done++;
          if (!e.record.ok) failed++;
        }
      }
    },
    stop() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
