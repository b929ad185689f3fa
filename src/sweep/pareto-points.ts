/**
 * Points for `inferscope pareto`: every completed step of the given sweeps and every given run, on throughput
 * (output tok/s, or per GPU) against per-user speed or a latency, with the exact frontier across all of them.
 */
import type { ResultsDocument } from '../results/results-document.js';
import { paretoFront } from './pareto.js';
import { perUserSpeed, type SweepDocument } from './sweep-document.js';

export const PARETO_Y = {
  'tok-per-user': { label: 'tok/s per user', better: 'max', of: (s: ResultsDocument['summary']) => perUserSpeed({ summary: s }) },
  'e2e-p99': { label: 'E2E p99 (ms)', better: 'min', of: (s: ResultsDocument['summary']) => s.e2e_ms.p99 },
  'ttft-p99': { label: 'TTFT p99 (ms)', better: 'min', of: (s: ResultsDocument['summary']) => s.ttft_ms.p99 },
} as const;
export type ParetoY = keyof typeof PARETO_Y;

export interface ParetoPointRow {
  /** Which sweep step or run, e.g. "vllm step 3 (concurrency 16)". */
  label: string;
  run_id: string;
  x: number | null;
  y: number | null;
  on_frontier: boolean;
}

export interface ParetoReport {
  x_axis: string;
  y_axis: string;
  points: ParetoPointRow[];
  /** Indices of `points` on the frontier, by throughput ascending. */
  frontier: number[];
}

/**
 * @example paretoReport([{ label: 'a', sweep }], [], 'tok-per-user', 1).frontier
 */
export function paretoReport(
  sweeps: ReadonlyArray<{ label: string; sweep: SweepDocument }>,
  runs: ReadonlyArray<{ label: string; results: ResultsDocument }>,
  yKey: ParetoY,
  gpus = 1,
): ParetoReport {
  const y = PARETO_Y[yKey];
  const perGpu = (x: number | null): number | null => (x === null ? null : x / gpus);
  const points: ParetoPointRow[] = [
    ...sweeps.flatMap(({ label, sweep }) =>
      sweep.steps
        .filter((s) => s.status === 'completed')
        .map((s) => ({
          label: `${label} step ${s.index} (${'concurrency' in s.load ? `concurrency ${s.load.concurrency}` : `rate ${s.load.rate}/s`})`,
          run_id: s.run_id,
          x: perGpu(s.summary.throughput.output_tokens_per_s),
          y: y.of(s.summary),
          on_frontier: false,
        })),
    ),
    ...runs.map(({ label, results }) => ({
      label,
      run_id: results.run.id,
      x: perGpu(results.summary.throughput.output_tokens_per_s),
      y: y.of(results.summary),
      on_frontier: false,
    })),
  ];
  const frontier = paretoFront(points, y.better).sort((a, b) => points[a]!.x! - points[b]!.x!);
  for (const i of frontier) points[i]!.on_frontier = true;
  return { x_axis: gpus > 1 ? `output tok/s per GPU (${gpus} GPUs)` : 'output tok/s', y_axis: y.label, points, frontier };
}
