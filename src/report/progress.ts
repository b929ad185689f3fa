import type { BenchmarkEvent } from '../benchmark/events.js';
import { outputTokens } from '../stats/request-metrics.js';

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  /** Measured requests expected, if known. */
  totalRequests: number | null;
  /** Duration bound in seconds, if any. */
  durationS: number | null;
  /** Refresh period. */
  intervalMs?: number;
}

/** What the progress line shows at one instant. */
export interface ProgressSnapshot {
  phase: string;
  done: number;
  total: number | null;
  failed: number;
  warm: number;
  elapsedS: number;
  reqPerS: number | null;
  outTokPerS: number | null;
  /** Median TTFT of the most recent requests (up to 512), ms. */
  ttftP50Ms: number | null;
  etaS: number | null;
  /** 0-1 when a request count or duration bounds the run. */
  fraction: number | null;
}

/** TTFTs kept for the running median: bounded, so a long run costs the same per refresh as a short one. */
const RECENT = 512;

/**
 * Running figures of a benchmark from its events alone (it never drives the run). Cheap per event; the median is
 * taken over a bounded ring of recent TTFTs when a snapshot is asked for.
 */
export class ProgressState {
  private phase = 'starting';
  private done = 0;
  private failed = 0;
  private warm = 0;
  private tokens = 0;
  private since: number | null = null;
  private readonly ttfts = new Float64Array(RECENT);
  private ttftCount = 0;

  constructor(private readonly bounds: { totalRequests: number | null; durationS: number | null }) {}

  onEvent(e: BenchmarkEvent, now = performance.now()): void {
    if (e.type === 'phase') {
      this.phase = e.phase;
      if (e.phase === 'measuring' && this.since === null) this.since = now;
    } else if (e.type === 'request') {
      const r = e.record;
      if (r.warmup) {
        this.warm++;
        return;
      }
      if (r.error?.class === 'aborted') return;
      this.done++;
      if (!r.ok) this.failed++;
      else {
        this.tokens += outputTokens(r).count;
        const first = r.chunks[0];
        if (first) this.ttfts[this.ttftCount++ % RECENT] = first.t - r.t_send;
      }
    }
  }

  snapshot(now = performance.now()): ProgressSnapshot {
    const elapsedS = this.since === null ? 0 : (now - this.since) / 1000;
    const rate = (x: number): number | null => (elapsedS >= 0.5 ? x / elapsedS : null);
    const reqPerS = rate(this.done);
    const { totalRequests, durationS } = this.bounds;
    let fraction: number | null = null;
    let etaS: number | null = null;
    if (totalRequests) {
      fraction = Math.min(1, this.done / totalRequests);
      if (reqPerS) etaS = Math.max(0, (totalRequests - this.done) / reqPerS);
    } else if (durationS) {
      fraction = Math.min(1, elapsedS / durationS);
      etaS = Math.max(0, durationS - elapsedS);
    }
    const n = Math.min(this.ttftCount, RECENT);
    const recent = Array.from(this.ttfts.subarray(0, n)).sort((a, b) => a - b);
    const ttftP50Ms = n === 0 ? null : n % 2 ? recent[(n - 1) / 2]! : (recent[n / 2 - 1]! + recent[n / 2]!) / 2;
    return {
      phase: this.phase,
      done: this.done,
      total: totalRequests,
      failed: this.failed,
      warm: this.warm,
      elapsedS,
      reqPerS,
      outTokPerS: rate(this.tokens),
      ttftP50Ms,
      etaS,
      fraction,
    };
  }
}

/**
 * The progress line: phase, bar, requests done, req/s, output tok/s, TTFT p50, failures, elapsed and ETA.
 *
 * @example formatProgress(state.snapshot()) // "measuring [#####...] 40/100 req  12.1 req/s  380 tok/s  TTFT p50 42 ms  0 failed  3.3 s  ETA 5 s"
 */
export function formatProgress(s: ProgressSnapshot): string {
  const width = 20;
  const bar = s.fraction === null ? '' : '[' + '#'.repeat(Math.round(s.fraction * width)).padEnd(width, '.') + '] ';
  const count = s.total ? `${s.done}/${s.total}` : `${s.done}`;
  const parts = [
    `${s.phase.padEnd(9)} ${bar}${count} req`,
    s.reqPerS !== null ? `${s.reqPerS.toFixed(1)} req/s` : '',
    s.outTokPerS !== null ? `${s.outTokPerS.toFixed(0)} tok/s` : '',
    s.ttftP50Ms !== null ? `TTFT p50 ${s.ttftP50Ms.toFixed(s.ttftP50Ms >= 100 ? 0 : 1)} ms` : '',
    `${s.failed} failed`,
    `${s.elapsedS.toFixed(1)} s`,
    s.etaS !== null ? `ETA ${Math.ceil(s.etaS)} s` : '',
    s.phase === 'warmup' ? `warm-up ${s.warm}` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

/**
 * A one-line progress display on a TTY (stderr), redrawn a few times a second. It only listens to benchmark
 * events. Returns the listener and a stop function that clears the line.
 */
export function createProgressRenderer(opts: ProgressOptions): { listener: (e: BenchmarkEvent) => void; stop(): void } {
  const { stream } = opts;
  const state = new ProgressState({ totalRequests: opts.totalRequests, durationS: opts.durationS });
  let drawn = false;
  const draw = (): void => {
    stream.write('\r' + formatProgress(state.snapshot()).slice(0, (stream.columns || 100) - 1) + '\x1b[K');
    drawn = true;
  };
  const timer = setInterval(draw, opts.intervalMs ?? 200);
  timer.unref();
  return {
    listener: (e) => state.onEvent(e),
    stop() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
