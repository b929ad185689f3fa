import type { RequestRecord } from '../measure/record.js';

/** What a running benchmark reports. Renderers (progress bar, logs) subscribe; the engine never prints. */
export type BenchmarkEvent =
  | { type: 'phase'; phase: 'starting-engine' | 'probing' | 'warmup' | 'measuring' | 'draining' | 'done'; detail?: string }
  | { type: 'target'; url: string; model: string; embedded: boolean; metricsUrls: string[] }
  | { type: 'request'; record: RequestRecord }
  | { type: 'warning'; message: string };

export type BenchmarkListener = (event: BenchmarkEvent) => void;
