import type { RequestRecord } from '../measure/record.js';

/** What a running benchmark reports. Outputs (progress, JSONL, the store) subscribe; the runner never prints. */
export type BenchmarkEvent =
  | { type: 'phase'; phase: 'starting-engine' | 'probing' | 'warmup' | 'measuring' | 'draining' | 'done'; detail?: string }
  | { type: 'target'; url: string; model: string; embedded: boolean; metricsUrls: string[] }
  | { type: 'step'; runId: string; index: number; plannedRequests: number | null; durationS: number | null }
  /** kept false: counted in the figures, not written as a record (--records sample:R|none). */
  | { type: 'request'; record: RequestRecord; kept?: boolean }
  | { type: 'warning'; message: string }
  /** Something the user should know that is not a problem (e.g. prompt lengths calibrated). */
  | { type: 'info'; message: string };

export type BenchmarkListener = (event: BenchmarkEvent) => void;

/**
 * A fan-out of benchmark events to subscribers. A subscriber that throws stops the run (the error reaches the
 * caller): an output that cannot write (a full disk) must not silently lose records.
 */
export class EventBus {
  private readonly listeners = new Set<BenchmarkListener>();

  subscribe(listener: BenchmarkListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  readonly emit: BenchmarkListener = (event) => {
    for (const listener of this.listeners) listener(event);
  };
}
