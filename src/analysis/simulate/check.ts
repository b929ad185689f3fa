import { selectMeasured } from '../../measure/measured.js';
import type { RunSummary } from '../../stats/summary.js';
import type { CostModel } from './cost-model.js';
import { runLoad, type CalibrationRun } from './run-load.js';
import { simulate } from './simulate.js';

/** The figures a check compares, measured and predicted. */
export interface CheckFigures {
  ttft_p50_ms: number | null;
  tpot_p50_ms: number | null;
  e2e_p50_ms: number | null;
  output_tokens_per_s: number | null;
}

export interface CheckRow {
  run: string;
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
 */
export async function checkPredictions(cost: CostModel, runs: readonly CalibrationRun[], seed: number, turnaroundMs: readonly number[] = []): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const run of runs) {
    const load = runLoad(run);
    if (!load) continue;
    const ok = selectMeasured(run.records).succeeded;
    const lengths = ok.map((r) => ({ input_tokens: r.input_tokens ?? r.requested_input_tokens ?? 0, output_tokens: Math.max(1, r.output_tokens ?? r.chunks.length) }));
    if (lengths.length === 0) continue;
    const sim = await simulate({ cost, loads: [load], requests: lengths.length, lengths: (i) => lengths[i % lengths.length]!, replicas: 1, seed, slo: null, turnaroundMs });
    const measured = figures(run.results.summary);
    const predicted = figures(sim.predicted!.summary);
    const err = (k: keyof CheckFigures): number | null => {
      const m = measured[k];
      const p = predicted[k];
      return m !== null && p !== null && m !== 0 ? ((p - m) / m) * 100 : null;
    };
    rows.push({
      run: run.id,
      load: load.kind === 'concurrency' ? { concurrency: load.concurrency } : { rate: load.rate },
      requests: lengths.length,
      measured,
      predicted,
      error_pct: { ttft_p50_ms: err('ttft_p50_ms'), tpot_p50_ms: err('tpot_p50_ms'), e2e_p50_ms: err('e2e_p50_ms'), output_tokens_per_s: err('output_tokens_per_s') },
    });
  }
  return rows;
}
