import { isPostgresUrl } from '../store/postgres/pg-url.js';
import { join } from 'node:path';
import { openSession } from '../benchmark/session.js';
import type { BenchmarkListener } from '../benchmark/events.js';
import type { BenchmarkOptions } from '../benchmark/options.js';
import type { StepResult } from '../benchmark/step.js';
import { assertWritableDir } from '../config/writable-path.js';
import { ConfigError } from '../config/errors.js';
import { DEFAULTS } from '../config/defaults.js';
import type { LoadProfile } from '../load/types.js';
import { newRunId } from '../store/ids.js';
import { openSweepStore, type SweepStore } from '../store/sweep-store.js';
import type { SweepAxis } from './plan.js';
import { buildSweepDocument, type SweepDocument, type SweepStep } from './sweep-document.js';
import { searchCapacity, type CapacityAnswer } from '../analysis/capacity-search.js';
import { writeJsonAtomic } from '../util/write-json-atomic.js';

/** Auto loads: rates between the bounds, the concurrency of the throughput step, doublings at most, plateau gain. */
const DEFAULT_AUTO_STEPS = 5;
const THROUGHPUT_CONCURRENCY = 64;
const MAX_DOUBLINGS = 10;
const PLATEAU_GAIN = 0.05;

/**
 * Loads chosen from the server's answers, as GuideLLM does. Concurrency: 1, 2, 4, ... until output throughput
 * grows by less than 5% over a doubling (the plateau). Rate: a synchronous step (concurrency 1) and a throughput
 * step (concurrency 64) bound the range; then `n` rates evenly spaced between their request rates. The values used
 * are written back into `axis.values`.
 */
async function autoSteps(
  axis: SweepAxis,
  measureAt: (value: number, r: number, kind?: SweepAxis['kind']) => Promise<SweepStep | null>,
  n: number,
  onSaturated: (rate: number) => void,
): Promise<void> {
  const tput = (s: SweepStep): number => s.summary.throughput.output_tokens_per_s ?? 0;
  if (axis.kind === 'concurrency') {
    let last: SweepStep | null = null;
    for (let i = 0, c = 1; i < MAX_DOUBLINGS; i++, c *= 2) {
      const step = await measureAt(c, 0);
      if (!step) return;
      axis.values.push(c);
      if (last && tput(step) < tput(last) * (1 + PLATEAU_GAIN)) return;
      last = step;
    }
    return;
  }
  const sync = await measureAt(1, 0, 'concurrency');
  const peak = sync && (await measureAt(THROUGHPUT_CONCURRENCY, 0, 'concurrency'));
  if (!sync || !peak) return;
  const low = sync.summary.throughput.requests_per_s ?? 0;
  const high = peak.summary.throughput.requests_per_s ?? 0;
  if (!(low > 0 && high > low)) return;
  for (let k = 1; k <= n; k++) {
    const rate = Math.round((low + ((high - low) * k) / (n + 1)) * 100) / 100;
    const step = await measureAt(rate, 0);
    if (!step) return;
    axis.values.push(rate);
    if (step.summary.saturation?.saturated) {
      onSaturated(rate);
      return;
    }
  }
}

/** Capacity search: bisect until the bracket is within 5%. */
const DEFAULT_TOLERANCE = 0.05;

export interface SweepOptions {
  /** Everything a bench takes; its concurrency or rate is replaced by each step's. */
  benchmark: BenchmarkOptions;
  axis: SweepAxis;
  /** Runs per load (default 1); the spread between them shows the noise. */
  repeat?: number;
  /**
   * With `repeat`: run the loads in rounds (every load once, then every load again) rather than each load's repeats
   * in a row, so a machine whose speed drifts over minutes weighs on every load alike. Default true.
   */
  interleave?: boolean;
  /** DIR/sweep.json and DIR/step-<k>/{results.json,requests.jsonl}. */
  outDir?: string;
  /**
   * Search for the highest load whose SLO attainment holds instead of measuring every value: the smallest value
   * of `axis.values` is the first probe. Needs the benchmark's `slo`.
   */
  capacity?: { attainment: number; tolerance?: number; maxProbes?: number };
  /** With an `auto` axis and rates: how many rates between the synchronous and the throughput step (default 5). */
  autoSteps?: number;
  /**
   * A stopped or crashed sweep to continue (its document): its completed steps are kept under its id, and only
   * the loads it has not measured are run (a capacity search replays its probes from them).
   */
  resume?: SweepDocument;
}

export interface SweepHooks {
  onEvent?: BenchmarkListener;
  /** After every finished step, with the document as it now stands. */
  onStep?: (step: SweepStep, document: SweepDocument) => void;
  /** Abort to stop: the step in progress keeps its finished requests, later steps are not run. */
  signal?: AbortSignal;
}

/**
 * Runs one benchmark session and measures a step per load value (and repeat), each an ordinary run labelled
 * sweep=<id>, step=<k>. The sweep document is written (DIR/sweep.json, the store) after every step, so a crash
 * or Ctrl-C keeps every finished step.
 *
 * @example
 * const doc = await runSweep({ benchmark: { url, requests: 200 }, axis: { kind: 'concurrency', values: [1, 4, 16] } });
 * doc.pareto.per_user_speed // indices of the steps on the frontier
 */
export async function runSweep(options: SweepOptions, hooks: SweepHooks = {}): Promise<SweepDocument> {
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) throw new ConfigError('--repeat', '--repeat: a whole number from 1 to 100');
  const interleave = options.interleave ?? DEFAULTS.sweep.interleave;
  // Our own copy: an auto axis fills its values as the steps run.
  const axis: SweepAxis = { ...options.axis, values: [...options.axis.values] };
  if (axis.auto && (options.capacity || options.resume)) {
    throw new ConfigError(axis.kind === 'rate' ? '--rate' : '--concurrency', `${axis.kind} auto cannot be combined with --find-capacity or --resume: give the loads`);
  }
  const first = axis.auto ? 1 : axis.values[0];
  if (first === undefined) throw new ConfigError(axis.kind === 'rate' ? '--rate' : '--concurrency', 'a sweep needs at least one load value');
  if (options.capacity) {
    if (!options.benchmark.slo) throw new ConfigError('--slo', '--find-capacity needs --slo (e.g. --slo ttft=500ms,tpot=50ms)');
    const a = options.capacity.attainment;
    if (!(a > 0 && a <= 1)) throw new ConfigError('--attainment', `--attainment: a share above 0 and at most 1 (e.g. 0.99), got ${a}`);
  }
  if (options.outDir) assertWritableDir(options.outDir, '--out');
  const { concurrency: _c, rate: _r, outDir: _o, ...rest } = options.benchmark;
  const base: BenchmarkOptions = axis.kind === 'rate' ? { ...rest, rate: first } : { ...rest, concurrency: first };

  const previous = options.resume ? resumable(options.resume, axis, repeat) : [];

  const session = await openSession(base, hooks.onEvent ? { onEvent: hooks.onEvent } : {});
  let sweeps: SweepStore | null = null;
  const id = options.resume?.id ?? newRunId();
  const startedAt = options.resume?.started_at ?? new Date().toISOString();
  const steps: SweepStep[] = [...previous];
  let status: SweepDocument['status'] = 'running';
  let capacity: CapacityAnswer | null = null;
  let saturatedAt: number | null = null;
  const document = (): SweepDocument =>
    buildSweepDocument({
      id,
      status,
      started_at: startedAt,
      ended_at: status === 'running' ? null : new Date().toISOString(),
      axis,
      repeat,
      ...(interleave && repeat > 1 ? { interleaved: true } : {}),
      target: { url: session.target.url, model: session.target.model, api: session.config.options.api, embedded: session.target.embedded, ...(session.target.backend ? { backend: session.target.backend } : {}) },
      steps,
      ...(capacity ? { capacity: capacityField(capacity, steps) } : {}),
      ...(saturatedAt !== null ? { saturated_at: saturatedAt } : {}),
    });
  const save = (doc: SweepDocument): void => {
    if (options.outDir) writeJsonAtomic(join(options.outDir, 'sweep.json'), doc);
    sweeps?.save({ id, status: doc.status, started_at: doc.started_at, ended_at: doc.ended_at, document: doc });
  };
  try {
    // Sweep documents live in SQLite stores; with PostgreSQL the steps' runs are stored (labelled sweep=<id>) and the
    // document goes to --out.
    const db = session.config.options.db;
    sweeps = db && !isPostgresUrl(db) ? openSweepStore(db) : null;
    save(document());
    /** Measures one step at `value`; null when the user stopped the sweep. */
    const measureAt = async (value: number, r: number, kind: SweepAxis['kind'] = axis.kind): Promise<SweepStep | null> => {
      if (hooks.signal?.aborted) return null;
      const k = steps.length;
      const profile: LoadProfile =
        kind === 'concurrency' ? { kind: 'concurrency', concurrency: value } : { ...(session.config.profile as Extract<LoadProfile, { kind: 'rate' }>), rate: value };
      const result: StepResult = await session.runStep(
        {
          profile,
          labels: { sweep: id, step: String(k), ...(repeat > 1 ? { repeat: String(r) } : {}) },
          outDir: options.outDir ? join(options.outDir, `step-${k}`) : null,
          stopWhenSaturated: kind === 'rate',
        },
        hooks.signal ? { signal: hooks.signal } : {},
      );
      const server = result.results.server;
      const step: SweepStep = {
        index: k,
        repeat: r,
        load: kind === 'concurrency' ? { concurrency: value } : { rate: value },
        run_id: result.results.run.id,
        status: result.results.run.status,
        summary: result.results.summary,
        server: server
          ? { requests_running: server.requests_running, requests_waiting: server.requests_waiting, kv_cache_usage: server.kv_cache_usage }
          : null,
      };
      steps.push(step);
      const doc = document();
      save(doc);
      hooks.onStep?.(step, doc);
      // A step stopped early by its own checks (saturation, the error breaker) is a finding, not a stop.
      return hooks.signal?.aborted ? null : step;
    };
    if (options.capacity) {
      const c = options.capacity;
      capacity = await searchCapacity(
        { axis: axis.kind, start: first, attainment: c.attainment, tolerance: c.tolerance ?? DEFAULT_TOLERANCE, maxProbes: c.maxProbes ?? DEFAULTS.sweep.maxProbes },
        async (load) => {
          const done = previous.find((p) => loadValue(p) === load);
          const step = done ?? (await measureAt(load, 0));
          return step ? { attainment: step.summary.goodput.attainment, step: step.index } : null;
        },
      );
    } else if (axis.auto) {
      await autoSteps(axis, measureAt, options.autoSteps ?? DEFAULT_AUTO_STEPS, (rate) => (saturatedAt = rate));
    } else {
      const order = interleave
        ? Array.from({ length: repeat }, (_, r) => axis.values.map((value) => ({ value, r }))).flat()
        : axis.values.flatMap((value) => Array.from({ length: repeat }, (_, r) => ({ value, r })));
      for (const { value, r } of order) {
        // Past saturation a higher rate only queues more (later rounds stop below it too).
        if (saturatedAt !== null && value >= saturatedAt) continue;
        const done = previous.find((p) => loadValue(p) === value && p.repeat === r);
        const step = done ?? (await measureAt(value, r));
        if (step === null) break;
        if (axis.kind === 'rate' && step.summary.saturation?.saturated) saturatedAt = value;
      }
    }
    const stopped = capacity
      ? capacity.stopped_by === 'stopped'
      : axis.auto
        ? hooks.signal?.aborted === true
        : saturatedAt === null && steps.length < axis.values.length * repeat;
    status = hooks.signal?.aborted || stopped ? 'interrupted' : 'completed';
  } catch (err) {
    status = 'interrupted';
    throw err;
  } finally {
    if (status === 'running') status = 'interrupted';
    try {
      save(document());
    } finally {
      sweeps?.close();
      await session.close();
    }
  }
  return document();
}

function loadValue(s: SweepStep): number {
  return 'concurrency' in s.load ? s.load.concurrency : s.load.rate;
}

/** The finished steps of a sweep to resume, renumbered; refuses a resume with other loads. */
function resumable(doc: SweepDocument, axis: SweepAxis, repeat: number): SweepStep[] {
  const flag = axis.kind === 'rate' ? '--rate' : '--concurrency';
  if (doc.axis.kind !== axis.kind) throw new ConfigError('--resume', `--resume: sweep ${doc.id} varied ${doc.axis.kind}, not ${axis.kind}`);
  if (!doc.capacity && (doc.axis.values.join(',') !== axis.values.join(',') || doc.repeat !== repeat)) {
    throw new ConfigError(flag, `--resume: sweep ${doc.id} was over ${flag} ${doc.axis.values.join(',')} with --repeat ${doc.repeat}; give the same`);
  }
  // A finished step is kept even when its fidelity was invalid (that is its finding); one cut short is run again.
  return doc.steps.filter((s) => s.status !== 'interrupted' && s.status !== 'running').map((s, index) => ({ ...s, index }));
}

/** The document's `capacity`: the answer, its bracket and the steps that probed it. */
function capacityField(c: CapacityAnswer, steps: readonly SweepStep[]): NonNullable<SweepDocument['capacity']> {
  // The cost of the capacity step: what 1M tokens cost at full SLO-compliant load (with --gpu-price / --price-*).
  const at = c.probes.find((p) => p.pass && p.load === c.value);
  const cost = at ? steps[at.step]?.summary.cost : null;
  return {
    ...(c.axis === 'rate' ? { requests_per_s: c.value } : { concurrency: c.value }),
    bracket: c.bracket,
    attainment_target: c.attainment_target,
    probes: c.probes,
    stopped_by: c.stopped_by,
    cost_per_1m_output_tokens: cost?.per_1m_output_tokens ?? null,
    cost_per_1m_total_tokens: cost?.per_1m_total_tokens ?? null,
    method: 'bracketing (doubling up from the first load, or halving down), then bisection of the bracket; each probe a full step',
  };
}

