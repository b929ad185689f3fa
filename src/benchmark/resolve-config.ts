import { DEFAULTS } from '../config/defaults.js';
import { ConfigError } from '../config/errors.js';
import { parseSlo, type Slo } from '../config/slo.js';
import { parseThreshold, type Threshold } from '../config/threshold.js';
import type { LoadProfile, RunLimits } from '../load/types.js';
import { parseLengthSpec, type LengthDistribution } from '../workload/length-spec.js';
import { validateOptions, type BenchmarkOptions, type ValidatedOptions } from './options.js';

/** Everything a run needs, parsed and checked before any network traffic. */
export interface BenchmarkConfig {
  options: ValidatedOptions;
  profile: LoadProfile;
  limits: RunLimits;
  workload:
    | { kind: 'synthetic'; input: LengthDistribution; output: LengthDistribution | null }
    | { kind: 'dataset'; path: string };
  slo: Slo | null;
  thresholds: Threshold[];
}


export function resolveBenchmarkConfig(input: BenchmarkOptions): BenchmarkConfig {
  const options = validateOptions(input);
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

  const workload: BenchmarkConfig['workload'] = options.dataset
    ? { kind: 'dataset', path: options.dataset }
    : {
        kind: 'synthetic',
        input: parseLengthSpec(options.inputTokens, '--input-tokens'),
        output: options.outputTokens === 'none' ? null : parseLengthSpec(options.outputTokens, '--output-tokens'),
      };
  const slo = options.slo ? parseSlo(options.slo) : null;
  const thresholds = options.thresholds.map((t) => parseThreshold(t));
  return { options, profile, limits, workload, slo, thresholds };
}
