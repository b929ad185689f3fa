import { DEFAULTS } from '../config/defaults.js';
import { ConfigError } from '../config/errors.js';
import { parseSlo, type Slo } from '../config/slo.js';
import { parseThreshold, type Threshold } from '../config/threshold.js';
import type { LoadProfile, RunLimits, Shard } from '../load/types.js';
import { parseLengthSpec, type LengthDistribution } from '../workload/length-spec.js';
import { validateOptions, type BenchmarkOptions, type ValidatedOptions } from './options.js';
import { loadTrace, type Trace } from '../workload/trace.js';

/** Everything a run needs, parsed and checked before any network traffic. */
export interface BenchmarkConfig {
  options: ValidatedOptions;
  profile: LoadProfile;
  limits: RunLimits;
  workload:
    | {
        kind: 'synthetic';
        input: LengthDistribution;
        output: LengthDistribution | null;
        /** Shared-prefix groups (--prefix-tokens, --prefix-groups), or null. */
        prefix: { tokens: number; groups: number } | null;
        /** Multi-turn conversations (--turns, --think-time), or null. */
        conversation: { turns: number; thinkTimeMs: number } | null;
      }
    | { kind: 'dataset'; path: string; conversations: { thinkTimeMs: number } | null }
    | { kind: 'trace'; trace: Trace };
  slo: Slo | null;
  thresholds: Threshold[];
  /** This process's shard of the global schedule, or null for the whole. */
  shard: Shard | null;
  /** Wall-clock start of the measured phase (--start-at), ms since the epoch, or null. */
  startAtEpochMs: number | null;
}


export function resolveBenchmarkConfig(input: BenchmarkOptions): BenchmarkConfig {
  const options = validateOptions(input);
  const distributed = { shard: parseShard(options.shard), startAtEpochMs: parseStartAt(options.startAt) };
  if (options.trace !== undefined) return { ...traceConfig(options), ...distributed };
  const profile: LoadProfile =
    options.rate !== undefined
      ? {
          kind: 'rate',
          rate: options.rate,
          arrival: options.arrival,
          burstiness: options.arrival === 'gamma' ? (options.burstiness ?? DEFAULTS.burstiness) : 1,
          maxConcurrency: options.maxConcurrency ?? null,
          rampUpS: options.rampUpS,
        }
      : { kind: 'concurrency', concurrency: options.concurrency ?? DEFAULTS.concurrency };
  if (options.rampUpS > 0 && options.rate === undefined) {
    throw new ConfigError('rampUpS', '--ramp-up applies to --rate runs');
  }
  const requests =
    options.requests ?? (options.durationS === undefined ? (options.url ? DEFAULTS.requests.remote : DEFAULTS.requests.embedded) : null);
  const limits: RunLimits = { requests, durationS: options.durationS ?? null, warmup: options.warmup };

  const workload: BenchmarkConfig['workload'] = options.dataset ? datasetWorkload(options) : syntheticWorkload(options);
  const slo = options.slo ? parseSlo(options.slo) : null;
  const thresholds = options.thresholds.map((t) => parseThreshold(t));
  return { options, profile, limits, workload, slo, thresholds, ...distributed };
}

/** "K/N", 0 <= K < N: shard K of N. */
export function parseShard(text: string | undefined): Shard | null {
  if (text === undefined) return null;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k >= n) throw new ConfigError('shard', `--shard: give K/N with 0 <= K < N (e.g. 0/4 for the first of four), got ${JSON.stringify(text)}`);
  return { index: k, count: n };
}

/** An ISO 8601 instant, not already past (a second of slack for processes started together). */
function parseStartAt(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = Date.parse(text);
  if (!Number.isFinite(t) || !/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) {
    throw new ConfigError('startAt', `--start-at: an ISO 8601 time such as 2026-12-04T10:00:00Z, got ${JSON.stringify(text)}`);
  }
  if (t < Date.now() - 1000) throw new ConfigError('startAt', `--start-at ${text} has already passed`);
  return t;
}

function datasetWorkload(options: ValidatedOptions): BenchmarkConfig['workload'] {
  if (options.turns !== undefined) throw new ConfigError('turns', '--turns makes synthetic conversations; for a ShareGPT --dataset, --conversations sends its own');
  if (options.conversations && options.api !== 'chat') throw new ConfigError('conversations', '--conversations sends chat messages: use --api chat');
  if (options.thinkTimeS > 0 && !options.conversations) throw new ConfigError('thinkTimeS', '--think-time is the pause between turns of a conversation: give --conversations (or --turns) too');
  if (options.prefixTokens !== undefined || options.prefixGroups !== undefined) {
    throw new ConfigError('prefixTokens', '--prefix-tokens and --prefix-groups shape synthetic prompts; a --dataset brings its own');
  }
  return { kind: 'dataset', path: options.dataset!, conversations: options.conversations ? { thinkTimeMs: options.thinkTimeS * 1000 } : null };
}

function syntheticWorkload(options: ValidatedOptions): BenchmarkConfig['workload'] {
  if (options.conversations) throw new ConfigError('conversations', '--conversations sends the conversations of a ShareGPT --dataset; synthetic ones are --turns N');
  const input = parseLengthSpec(options.inputTokens, '--input-tokens');
  const output = options.outputTokens === 'none' ? null : parseLengthSpec(options.outputTokens, '--output-tokens');
  if (options.turns !== undefined && options.api !== 'chat') throw new ConfigError('turns', '--turns sends conversations as chat messages: use --api chat');
  if (options.thinkTimeS > 0 && options.turns === undefined) throw new ConfigError('thinkTimeS', '--think-time is the pause between turns of a conversation: give --turns too');
  const conversation = options.turns !== undefined ? { turns: options.turns, thinkTimeMs: options.thinkTimeS * 1000 } : null;
  if (options.prefixTokens === undefined) {
    if (options.prefixGroups !== undefined) throw new ConfigError('prefixGroups', '--prefix-groups needs --prefix-tokens (the length of each shared prefix)');
    return { kind: 'synthetic', input, output, prefix: null, conversation };
  }
  // The prompt needs room after its prefix for its own text (the opening line and at least a few tokens).
  if (options.prefixTokens > input.min - 8) {
    throw new ConfigError('prefixTokens', `--prefix-tokens ${options.prefixTokens} leaves no room in the shortest prompt (--input-tokens ${input.text}: ${input.min} tokens); keep it at most ${Math.max(0, input.min - 8)}`);
  }
  return { kind: 'synthetic', input, output, prefix: { tokens: options.prefixTokens, groups: options.prefixGroups ?? 1 }, conversation };
}

/**
 * A replayed trace sets the load (its send times, scaled by --time-scale) and the workload (its lengths); options
 * that would set either are refused. No warm-up: the trace's first requests are part of what it replays.
 */
function traceConfig(options: ValidatedOptions): BenchmarkConfig {
  for (const [field, flag] of [['rate', '--rate'], ['concurrency', '--concurrency'], ['dataset', '--dataset'], ['prefixTokens', '--prefix-tokens'], ['rampUpS', '--ramp-up'], ['turns', '--turns']] as const) {
    const v = options[field];
    if (v !== undefined && v !== 0) throw new ConfigError(field, `--trace sets the arrival times and lengths; ${flag} does not apply (--max-concurrency caps requests in flight)`);
  }
  const trace = loadTrace(options.trace!);
  const traceMs = trace.entries.map((e) => e.timeMs * options.timeScale);
  const spanS = traceMs[traceMs.length - 1]! / 1000;
  const rate = traceMs.length > 1 && spanS > 0 ? (traceMs.length - 1) / spanS : traceMs.length;
  const profile: LoadProfile = { kind: 'rate', rate, arrival: 'trace', burstiness: 1, maxConcurrency: options.maxConcurrency ?? null, rampUpS: 0, traceMs };
  const requests = Math.min(options.requests ?? trace.entries.length, trace.entries.length);
  const limits: RunLimits = { requests, durationS: options.durationS ?? null, warmup: 0 };
  const slo = options.slo ? parseSlo(options.slo) : null;
  return { options, profile, limits, workload: { kind: 'trace', trace }, slo, thresholds: options.thresholds.map((t) => parseThreshold(t)), shard: null, startAtEpochMs: null };
}
