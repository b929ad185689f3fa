/** Per-request samples a report draws, taken from the raw records exactly as the summary takes them. */
import type { RequestRecord } from '../../measure/record.js';
import type { ResultsDocument } from '../../results/results-document.js';
import { e2eMs, tpotMs, ttftMs } from '../../stats/request-metrics.js';
import { selectMeasured, type StatedWindow } from '../../measure/measured.js';

export const LATENCY_METRICS = ['ttft', 'tpot', 'itl', 'e2e'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export interface MeasuredRecords {
  /** Measured (non-warm-up) records in the summary's window, sorted by t_send. */
  records: RequestRecord[];
  /** Time origin of every chart, ms on the run clock: the window start. */
  originMs: number;
}

/**
 * The records the summary counted: warm-up left out and, with an explicit window, only those sent inside
 * it (the rule of summarize()). Sorted by send time so time charts read left to right.
 */
export function measuredRecords(records: readonly RequestRecord[], results: ResultsDocument | null): MeasuredRecords {
  const window = (results?.summary as { window?: { start_ms?: unknown; end_ms?: unknown; source?: unknown } } | undefined)?.window;
  const start = typeof window?.start_ms === 'number' && Number.isFinite(window.start_ms) ? window.start_ms : null;
  const explicit = window?.source === 'explicit' && start !== null;
  const kept = selectMeasured(records.filter(isUsable), explicit ? (window as StatedWindow) : null).inWindow;
  kept.sort((a, b) => a.t_send - b.t_send || a.index - b.index);
  let origin = start;
  if (origin === null || (kept.length > 0 && !explicit && kept[0]!.t_send < origin)) origin = kept[0]?.t_send ?? 0;
  return { records: kept, originMs: origin };
}

/** A record from disk may be damaged: keep only those whose timing fields a chart needs are numbers. */
function isUsable(r: RequestRecord): boolean {
  return (
    r !== null &&
    typeof r === 'object' &&
    Number.isFinite(r.t_send) &&
    Number.isFinite(r.t_end) &&
    Array.isArray(r.chunks) &&
    r.chunks.every((c) => c !== null && typeof c === 'object' && Number.isFinite(c.t))
  );
}

/**
 * Every sample of each latency metric over succeeded requests (ITL: one per gap), unsorted. Float64Arrays,
 * because ITL of a large run runs to millions of samples.
 */
export function latencySamples(records: readonly RequestRecord[]): Record<LatencyMetric, Float64Array> {
  const ok = records.filter((r) => r.ok);
  let gaps = 0;
  for (const r of ok) gaps += Math.max(0, r.chunks.length - 1);
  const ttft: number[] = [];
  const tpot: number[] = [];
  const e2e: number[] = [];
  const itl = new Float64Array(gaps);
  let k = 0;
  for (const r of ok) {
    push(ttft, ttftMs(r));
    push(tpot, tpotMs(r));
    push(e2e, e2eMs(r));
    for (let i = 1; i < r.chunks.length; i++) itl[k++] = r.chunks[i]!.t - r.chunks[i - 1]!.t;
  }
  return { ttft: Float64Array.from(ttft), tpot: Float64Array.from(tpot), itl, e2e: Float64Array.from(e2e) };
}

function push(out: number[], v: number | null): void {
  if (v !== null && Number.isFinite(v)) out.push(v);
}
