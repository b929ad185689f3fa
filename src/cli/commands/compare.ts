import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
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

function atLeast100(text: string): number {
  const n = positiveInt('--resamples')(text);
  if (n < 100) throw new ConfigError('--resamples', `--resamples: at least 100 for a usable interval, got ${n}`);
  return n;
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
    .option('--db <path|url>', 'SQLite file or postgres:// URL of stored runs (default: $INFERSCOPE_DB or the user data directory)')
    .option('--json', 'print the comparison as JSON')
    .option('--fail-on-regression [metrics]', 'exit 3 when a metric regressed: all, or a comma list (ttft,e2e_p99,output_tokens_per_s,...)')
    .option('--min-change <pct>', 'smallest relative change called improved/regressed (default 5%)', (t: string) => parsePercent(t, '--min-change'))
    .option('--threshold-pct <spec>', 'per-metric thresholds, e.g. ttft=10,e2e=5', (t: string) => parseThresholdPct(t))
    .option('--confidence <level>', 'confidence level of the intervals (default 0.95)', (t: string) => parseConfidence(t))
    .option('--resamples <n>', 'bootstrap resamples, at least 100 (default 1000)', atLeast100)
    .option('--seed <n>', 'seed of the bootstrap (default 1)', nonNegativeInt('--seed'))
    .option('--no-color', 'plain output without colors')
    .action(async (base: string, candidate: string, flags: CompareFlags) => {
      setExit(await runCompareCommand(base, candidate, flags));
    });
}

export interface CompareIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (colors). */
  isTty: boolean;
}

const processIo: CompareIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: !!process.stdout.isTTY,
};

/**
 * The compare command: loads both runs, compares, prints the table (or JSON with --json) and returns the
 * exit code. A run that cannot be found or read is a usage error (exit 2).
 */
export async function runCompareCommand(base: string, candidate: string, flags: CompareFlags, io: CompareIo = processIo): Promise<number> {
  const { EXIT, ExitError } = await import('../exit-codes.js');
  const { loadRun, RunLoadError } = await import('../../results/load-run.js');
  const { compareRuns } = await import('../../compare/compare-runs.js');
  const { toLoadedRun } = await import('../../compare/loaded-run.js');
  const { formatCompare } = await import('../../compare/format.js');
  const { parseMetricList } = await import('../../compare/thresholds.js');
  const { StoreError } = await import('../../store/errors.js');

  // Validate the gate list before any loading, so a typo fails fast.
  const gated = flags.failOnRegression !== undefined ? parseMetricList(flags.failOnRegression) : [];
  const load = async (ref: string, role: string) => {
    try {
      return toLoadedRun(await loadRun(ref, flags.db !== undefined ? { db: flags.db } : {}));
    } catch (error) {
      const notFound = error instanceof StoreError && (error.code === 'not_found' || error.code === 'ambiguous');
      if (error instanceof RunLoadError || notFound) throw new ExitError(EXIT.usage, `${role} ${error.message}`);
      throw error;
    }
  };
  const [b, c] = [await load(base, 'base:'), await load(candidate, 'candidate:')];
  const report = compareRuns(b, c, {
    ...(flags.confidence !== undefined ? { confidence: flags.confidence } : {}),
    ...(flags.resamples !== undefined ? { resamples: flags.resamples } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.minChange !== undefined ? { minChangePct: flags.minChange } : {}),
    ...(flags.thresholdPct !== undefined ? { thresholdPct: flags.thresholdPct } : {}),
  });
  const failing = report.regressed.filter((k) => gated.includes(k));
  if (flags.json) {
    io.stdout(JSON.stringify({ ...report, gate: flags.failOnRegression !== undefined ? { metrics: gated, failed: failing } : null }, null, 2) + '\n');
  } else {
    io.stdout(formatCompare(report, { color: flags.color !== false && io.isTty }) + '\n');
  }
  if (failing.length > 0) {
    io.stderr(`regression gate failed: ${failing.join(', ')} regressed\n`);
    return EXIT.gate;
  }
  return EXIT.ok;
}
