import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { calibrate } from '../../analysis/simulate/calibrate.js';
import { checkPredictions, type CheckRow } from '../../analysis/simulate/check.js';
import { writeSweepReport } from '../../report/html/render-sweep.js';
import type { SweepDocument } from '../../sweep/sweep-document.js';
import { runLoad, runMaxSeqs, type CalibrationRun } from '../../analysis/simulate/run-load.js';
import type { CostModel } from '../../analysis/simulate/cost-model.js';
import { formatSimulation } from '../../analysis/simulate/format-simulation.js';
import type { SimLoad } from '../../analysis/simulate/run-sim.js';
import { simulate } from '../../analysis/simulate/simulate.js';
import { DEFAULTS } from '../../config/defaults.js';
import { ConfigError } from '../../config/errors.js';
import { parseSlo } from '../../config/slo.js';
import { loadRun } from '../../results/load-run.js';
import { loadSweepIfAny } from '../../sweep/load-sweep.js';
import { parseSweepAxis } from '../../sweep/plan.js';
import { forkRng } from '../../util/rng.js';

export interface SimulateFlags {
  calibrate: string[];
  check: string[];
  model?: string;
  gpu?: string;
  tp: number;
  dtype: 'bf16' | 'fp8' | 'int8' | 'int4';
  concurrency?: string;
  rate?: string;
  arrival: 'poisson' | 'constant' | 'gamma';
  burstiness?: number;
  requests: number;
  inputTokens?: number;
  outputTokens?: number;
  maxSeqs?: number;
  kvTokens?: number;
  chunkedPrefill?: number;
  replicas: number;
  slo?: string;
  findCapacity?: boolean;
  attainment: number;
  seed: number;
  db?: string;
  json?: boolean;
  html?: string;
}

/** A sweep named among the references, with the ids (labels) its steps' runs were loaded under. */
interface LoadedSweep {
  label: string;
  sweep: SweepDocument;
  runIds: string[];
}

/** Runs (with their records) a list of run or sweep references names; a sweep gives each of its steps. */
async function loadCalibrationRuns(refs: readonly string[], flag: string, db: string | undefined): Promise<{ runs: CalibrationRun[]; sweeps: LoadedSweep[] }> {
  const opts = db ? { db } : {};
  const runs: CalibrationRun[] = [];
  const sweeps: LoadedSweep[] = [];
  for (const [k, ref] of refs.entries()) {
    const sweep = loadSweepIfAny(ref, opts);
    const stepRefs = sweep
      ? sweep.sweep.steps.map((st) => (sweep.dir && existsSync(join(sweep.dir, `step-${st.index}`)) ? join(sweep.dir, `step-${st.index}`) : st.run_id))
      : [ref];
    const ids: string[] = [];
    for (const r of stepRefs) {
      const run = await loadRun(r, opts);
      if (!run.records) throw new ConfigError(flag, `${flag} ${r}: the run has no request records (requests.jsonl) to fit on`);
      // A sweep's steps at one load are its repeats (--repeat), which a check pools.
      runs.push({ id: run.label, results: run.results, records: run.records, ...(sweep ? { group: `sweep ${k}` } : {}) });
      ids.push(run.label);
    }
    if (sweep) sweeps.push({ label: sweep.label, sweep: sweep.sweep, runIds: ids });
  }
  return { runs, sweeps };
}

type Lengths = Array<{ input_tokens: number; output_tokens: number }>;

async function costModel(flags: SimulateFlags, runs: readonly CalibrationRun[]): Promise<{ cost: CostModel; notes: string[]; lengths: Lengths; turnaround_ms: number[] }> {
  if (runs.length > 0) {
    const maxSeqs = flags.maxSeqs ?? runs.map(runMaxSeqs).find((m) => m !== null) ?? null;
    return calibrate(runs, maxSeqs);
  }
  if (!flags.model || !flags.gpu) throw new ConfigError('--calibrate', 'simulate needs --calibrate RUN|SWEEP (measured costs) or --model and --gpu (roofline bounds)');
  const { findGpu, loadModel } = await import('../../analysis/roofline-tables.js');
  const { rooflineCostModel } = await import('../../analysis/simulate/roofline-cost.js');
  const inputTokens = flags.inputTokens ?? Number(DEFAULTS.inputTokens);
  const outputTokens = flags.outputTokens ?? Number(DEFAULTS.outputTokens);
  const base = { model: await loadModel(flags.model), gpu: findGpu(flags.gpu), tp: flags.tp, dtype: flags.dtype, kvDtype: 'bf16' as const, promptTokens: inputTokens, context: inputTokens + outputTokens };
  const notes = ['roofline bounds: a real server is slower; calibrate on a measured run for predictions'];
  return { cost: rooflineCostModel(base, flags.maxSeqs ?? null), notes, lengths: [], turnaround_ms: [] };
}

function loads(flags: SimulateFlags, runs: readonly CalibrationRun[]): SimLoad[] {
  if (flags.concurrency !== undefined && flags.rate !== undefined) throw new ConfigError('--concurrency', 'give --concurrency LIST or --rate LIST, not both');
  if (flags.concurrency !== undefined) return parseSweepAxis(flags.concurrency, 'concurrency', '--concurrency').values.map((c) => ({ kind: 'concurrency', concurrency: c }));
  if (flags.rate !== undefined) {
    const burstiness = flags.burstiness ?? DEFAULTS.burstiness;
    return parseSweepAxis(flags.rate, 'rate', '--rate').values.map((rate) => ({ kind: 'rate', rate, arrival: flags.arrival, burstiness, maxConcurrency: null, rampUpS: 0 }));
  }
  const measured = runs.map(runLoad).filter((l): l is SimLoad => l !== null);
  const seen = new Set<string>();
  const unique = measured.filter((l) => {
    const k = JSON.stringify(l);
    return seen.has(k) ? false : (seen.add(k), true);
  });
  return unique.length > 0 ? unique : [{ kind: 'concurrency', concurrency: DEFAULTS.concurrency }];
}

/** `inferscope simulate`: prints the prediction (or JSON), with the check against measured runs when asked. */
export async function simulateCommand(flags: SimulateFlags): Promise<void> {
  if (flags.findCapacity && !flags.slo) throw new ConfigError('--find-capacity', '--find-capacity needs --slo (e.g. --slo ttft=500ms,tpot=50ms)');
  const slo = flags.slo ? parseSlo(flags.slo) : null;
  if (flags.html && flags.check.length === 0) throw new ConfigError('--html', '--html draws predicted beside measured: give --check SWEEP too');
  const { runs } = await loadCalibrationRuns(flags.calibrate, '--calibrate', flags.db);
  const { cost: fitted, notes, lengths: lengthsOf, turnaround_ms: turnaroundMs } = await costModel(flags, runs);
  const cost: CostModel = {
    ...fitted,
    ...(flags.maxSeqs !== undefined ? { max_seqs: flags.maxSeqs } : {}),
    ...(flags.kvTokens !== undefined ? { kv_capacity_tokens: flags.kvTokens } : {}),
    ...(flags.chunkedPrefill !== undefined ? { prefill_chunk_tokens: flags.chunkedPrefill } : {}),
  };
  // Lengths: the flags where given, else the calibration requests' lengths in a seeded order.
  const rng = forkRng(flags.seed, 'simulate-lengths');
  const order = lengthsOf.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const lengths = (i: number): { input_tokens: number; output_tokens: number } => {
    const sample = order.length > 0 ? lengthsOf[order[i % order.length]!]! : null;
    return {
      input_tokens: flags.inputTokens ?? sample?.input_tokens ?? Number(DEFAULTS.inputTokens),
      output_tokens: flags.outputTokens ?? sample?.output_tokens ?? Number(DEFAULTS.outputTokens),
    };
  };
  const loadList = loads(flags, runs);
  const axis: 'rate' | 'concurrency' = flags.rate !== undefined || (flags.concurrency === undefined && loadList[0]?.kind === 'rate') ? 'rate' : 'concurrency';
  const result = await simulate({
    cost,
    loads: loadList,
    requests: flags.requests,
    lengths,
    replicas: flags.replicas,
    seed: flags.seed,
    slo,
    turnaroundMs,
    findCapacity: flags.findCapacity ? { axis, attainment: flags.attainment } : undefined,
  });
  const checked = await loadCalibrationRuns(flags.check, '--check', flags.db);
  const check = await checkPredictions(cost, checked.runs, flags.seed, turnaroundMs);
  if (flags.html) writeCheckReport(flags.html, checked.sweeps, check);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ ...result, notes, ...(check.length > 0 ? { check } : {}) }, null, 2) + '\n');
    return;
  }
  process.stdout.write(formatSimulation(result, notes, check) + '\n');
  if (check.length === 0 && runs.length > 0) process.stderr.write('check it: add --check RUN|SWEEP with measured runs at other loads to see predicted beside measured\n');
}

/** The checked sweeps' report with the predicted TTFT and TPOT beside the measured. */
function writeCheckReport(path: string, sweeps: readonly LoadedSweep[], check: readonly CheckRow[]): void {
  if (sweeps.length === 0) throw new ConfigError('--html', '--html needs a sweep among --check (its report gets the predicted curves)');
  const report = sweeps.map((s) => ({
    label: s.label,
    sweep: s.sweep,
    predicted: check
      .filter((row) => row.runs.some((id) => s.runIds.includes(id)))
      .map((row) => ({
        load: 'concurrency' in row.load ? row.load.concurrency : row.load.rate,
        ttft_p50_ms: row.predicted.ttft_p50_ms,
        tpot_p50_ms: row.predicted.tpot_p50_ms,
        output_tokens_per_s: row.predicted.output_tokens_per_s,
      })),
  }));
  const { bytes } = writeSweepReport(report, path, { generatedAt: new Date().toISOString(), title: `inferscope simulate: predicted vs measured (${sweeps.map((s) => s.label).join(', ')})` });
  process.stderr.write(`wrote ${path} (${(bytes / 1e6).toFixed(2)} MB): predicted TTFT and TPOT beside the measured sweep\n`);
}
