import { selectMeasured } from '../../measure/measured.js';
import type { CostModel } from './cost-model.js';
import type { RequestRecord } from '../../measure/record.js';
import { summarize, type RunSummary } from '../../stats/summary.js';
import { gatherByLoad, type CalibrationRun } from './run-load.js';
import { runSimulation } from './run-sim.js';
import { simRecords } from './sim-records.js';

/** The figures a check compares, measured and predicted. */
export interface CheckFigures {
  ttft_p50_ms: number | null;
  tpot_p50_ms: number | null;
  e2e_p50_ms: number | null;
  output_tokens_per_s: number | null;
}

export interface CheckRow {
  /** The run, or the repeats pooled for this row joined with '+'. */
  run: string;
  runs: string[];
  load: { concurrency: number } | { rate: number };
  requests: number;
  measured: CheckFigures;
  predicted: CheckFigures;
  /** (predicted - measured) / measured, in percent. */
  error_pct: Record<keyof CheckFigures, number | null>;
}

function figures(s: RunSummary): CheckFigures {
  return { ttft_p50_ms: s.ttft_ms.p50, tpot_p50_ms: s.tpot_ms.p50, e2e_p50_ms: s.e2e_ms.p50, output_tokens_per_s: s.throughput.output_tokens_per_s };
}

/**
 * Replays each measured run's load (its concurrency or rate, its number of requests, its requests' own prompt and
 * output lengths in order) through the simulator and sets the predicted p50s and throughput beside the measured.
 * Repeats of one load in one group (a sweep's `--repeat`) make one row: each repeat simulated as it ran, and on both
 * sides the records pooled for the percentiles and the throughputs averaged.
 */
export async function checkPredictions(cost: CostModel, runs: readonly CalibrationRun[], seed: number, turnaroundMs: readonly number[] = []): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const { load, members: group } of gatherByLoad(runs, (r) => r, (r) => r.group ?? null)) {
    // Each repeat is simulated as it ran (its own start, its own requests' lengths), then pooled like the measured.
    const measuredRuns = group.map((r) => ({ records: selectMeasured(r.records).succeeded as readonly RequestRecord[], summary: r.results.summary }));
    const predictedRuns = measuredRuns.flatMap(({ records }) => {
      const lengths = records.map((r) => ({ input_tokens: r.input_tokens ?? r.requested_input_tokens ?? 0, output_tokens: Math.max(1, r.output_tokens ?? r.chunks.length) }));
      if (lengths.length === 0) return [];
      const predictedRecords = simRecords(runSimulation({ cost, load, requests: lengths.length, lengths: (i) => lengths[i]!, seed, turnaroundMs }));
      return [{ records: predictedRecords, summary: summarize(predictedRecords) }];
    });
    if (predictedRuns.length === 0) continue;
    const measured = pooledFigures(measuredRuns);
    const predicted = pooledFigures(predictedRuns);
    const err = (k: keyof CheckFigures): number | null => {
      const m = measured[k];
      const p = predicted[k];
      return m !== null && p !== null && m !== 0 ? ((p - m) / m) * 100 : null;
    };
    rows.push({
      run: group.map((r) => r.id).join('+'),
      runs: group.map((r) => r.id),
      load: load.kind === 'concurrency' ? { concurrency: load.concurrency } : { rate: load.rate },
      requests: predictedRuns.reduce((n, r) => n + r.records.length, 0),
      measured,
      predicted,
      error_pct: { ttft_p50_ms: err('ttft_p50_ms'), tpot_p50_ms: err('tpot_p50_ms'), e2e_p50_ms: err('e2e_p50_ms'), output_tokens_per_s: err('output_tokens_per_s') },
    });
  }
  return rows;
}

/** One run's figures, or percentiles over the repeats' pooled records with their throughputs' mean (each run has its own time base). */
function pooledFigures(runs: ReadonlyArray<{ records: readonly RequestRecord[]; summary: RunSummary }>): CheckFigures {
  if (runs.length === 1) return figures(runs[0]!.summary);
  const rates = runs.map((r) => r.summary.throughput.output_tokens_per_s).filter((x): x is number => x !== null);
  return { ...figures(summarize(runs.flatMap((r) => r.records))), output_tokens_per_s: rates.length > 0 ? rates.reduce((s, x) => s + x, 0) / rates.length : null };
}
