import type { Slo } from '../../config/slo.js';
import { describe, type Distribution } from '../../stats/percentiles.js';
import { summarize, type RunSummary } from '../../stats/summary.js';
import { searchCapacity, type CapacityAnswer } from '../capacity-search.js';
import type { CostModel } from './cost-model.js';
import { runSimulation, type SimLoad } from './run-sim.js';
import { simRecords } from './sim-records.js';

export interface SimulateOptions {
  cost: CostModel;
  /** One prediction per load. */
  loads: readonly SimLoad[];
  requests: number;
  lengths: (index: number) => { input_tokens: number; output_tokens: number };
  replicas: number;
  seed: number;
  slo: Slo | null;
  /** Closed loops: the client's measured turnaround times, ms (see calibrate and run-sim). */
  turnaroundMs?: readonly number[];
  /** Search the highest load (on this axis) whose SLO attainment holds. */
  findCapacity?: { axis: 'rate' | 'concurrency'; attainment: number } | undefined;
}

/** What the simulation predicts for one load. */
export interface PredictedStep {
  load: { concurrency: number } | { rate: number };
  /** Shaped like results.json's summary (same functions compute it). */
  summary: RunSummary;
  /** Time requests waited for admission into the batch, ms. */
  queue_ms: Distribution;
  preemptions: number;
}

export interface SimulationResult {
  cost_model: CostModel;
  replicas: number;
  requests: number;
  /** The first load's prediction (the only one unless several loads were asked). */
  predicted: PredictedStep | null;
  steps: PredictedStep[];
  capacity?: CapacityAnswer;
}

/** Predicts each load, and the capacity under the SLO when asked. Deterministic for a seed. */
export async function simulate(o: SimulateOptions): Promise<SimulationResult> {
  const steps = o.loads.map((load) => predictLoad(o, load));
  const result: SimulationResult = { cost_model: o.cost, replicas: o.replicas, requests: o.requests, predicted: steps[0] ?? null, steps };
  if (o.findCapacity && o.slo) {
    const { axis, attainment } = o.findCapacity;
    const rateBase = o.loads.find((l): l is Extract<SimLoad, { kind: 'rate' }> => l.kind === 'rate');
    result.capacity = await searchCapacity({ axis, start: 1, attainment, tolerance: 0.02, maxProbes: 40 }, async (value) => {
      const load: SimLoad =
        axis === 'concurrency'
          ? { kind: 'concurrency', concurrency: value }
          : { kind: 'rate', rate: value, arrival: rateBase?.arrival ?? 'poisson', burstiness: rateBase?.burstiness ?? 1, maxConcurrency: null, rampUpS: 0 };
      const step = predictLoad(o, load);
      return { attainment: step.summary.goodput.attainment, step: -1 };
    });
  }
  return result;
}

function predictLoad(o: SimulateOptions, load: SimLoad): PredictedStep {
  const outcomes = runSimulation({ cost: o.cost, load, requests: o.requests, lengths: o.lengths, replicas: o.replicas, seed: o.seed, turnaroundMs: o.turnaroundMs ?? [] });
  const summary = summarize(simRecords(outcomes), o.slo ? { slo: o.slo } : {});
  return {
    load: load.kind === 'concurrency' ? { concurrency: load.concurrency } : { rate: load.rate },
    summary,
    queue_ms: describe(outcomes.map((x) => x.t_admitted - x.request.t_arrival)),
    preemptions: outcomes.reduce((s, x) => s + x.preemptions, 0),
  };
}
