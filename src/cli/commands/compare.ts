import type { Command } from 'commander';
import { nonNegativeInt, positiveInt } from '../parse-flags.js';
import { parseConfidence, parsePercent, parseThresholdPct } from '../../compare/thresholds.js';

export interface CompareFlags {
  db?: string;
  json?: boolean;
  failOnRegression?: string | true;
  minChange?: number;
  thresholdPct?: Record<string, number>;
  confidence?: number;
  resamples?: number;
  seed?: number;
  color: boolean;
}

/**
 * `inferscope compare BASE CANDIDATE`: exit 0, or 3 when --fail-on-regression is given and a gated metric
 * regressed; 2 for bad flags or a run that cannot be found.
 */
export function registerCompare(program: Command, setExit: (code: number) => void): void {
  program
    .command('compare <base> <candidate>')
    .description(
      'Compare a candidate run with a baseline: per metric change, confidence interval and verdict. ' +
        'A run is a results.json, a `bench --out` directory, or a stored run (id, prefix, baseline name)',
    )
    .option('--db <path>', 'SQLite file for stored runs (default: $INFERSCOPE_DB or the user data directory)')
    .option('--json', 'print the comparison as JSON')
    .option('--fail-on-regression [metrics]', 'exit 3 when a metric regressed: all, or a comma list (ttft,e2e_p99,output_tokens_per_s,...)')
    .option('--min-change <pct>', 'smallest relative change called improved/regressed (default 5%)', (t: string) => parsePercent(t, '--min-change'))
    .option('--threshold-pct <spec>', 'per-metric thresholds, e.g. ttft=10,e2e=5', (t: string) => parseThresholdPct(t))
    .option('--confidence <level>', 'confidence level of the intervals (default 0.95)', (t: string) => parseConfidence(t))
    .option('--resamples <n>', 'bootstrap resamples (default 1000)', positiveInt('--resamples'))
    .option('--seed <n>', 'seed of the bootstrap (default 1)', nonNegativeInt('--seed'))
    .option('--no-color', 'plain output without colors')
    .action(async (base: string, candidate: string, flags: CompareFlags) => {
      const { runCompareCommand } = await import('./compare-action.js');
      setExit(await runCompareCommand(base, candidate, flags));
    });
}
