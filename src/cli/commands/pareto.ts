import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { oneOf, positiveInt } from '../parse-flags.js';

interface ParetoFlags {
  y: 'tok-per-user' | 'e2e-p99' | 'ttft-p99';
  gpus?: number;
  db?: string;
  json?: boolean;
}

/** `inferscope pareto SWEEP|RUN...`: the exact frontier of throughput against speed or latency across all given. */
export function registerPareto(program: Command): void {
  program
    .command('pareto')
    .description('The Pareto frontier of output throughput vs per-user speed or latency across sweeps and runs')
    .argument('<ref...>', 'sweep (sweep.json, sweep --out directory, stored sweep id) or run (results.json, --out directory, stored run)')
    .option('--y <axis>', 'tok-per-user | e2e-p99 | ttft-p99', oneOf('--y', ['tok-per-user', 'e2e-p99', 'ttft-p99'] as const), 'tok-per-user')
    .option('--gpus <n>', 'divide throughput by this many GPUs (per-GPU frontier)', positiveInt('--gpus'))
    .option('--db <path>', 'SQLite file for stored sweeps and runs (default: $INFERSCOPE_DB or the user data directory)')
    .option('--json', 'print the points and the frontier as JSON')
    .action(async (refs: string[], f: ParetoFlags) => {
      const { loadSweepIfAny } = await import('../../sweep/load-sweep.js');
      const { loadRuns } = await import('../../results/load-run.js');
      const { paretoReport } = await import('../../sweep/pareto-points.js');
      const opts = f.db !== undefined ? { db: f.db } : {};
      const sweeps = refs.map((r) => loadSweepIfAny(r, opts));
      const runRefs = refs.filter((_, i) => sweeps[i] === null);
      const runs = runRefs.length > 0 ? await loadRuns(runRefs, opts) : [];
      const report = paretoReport(sweeps.filter((s) => s !== null), runs, f.y, f.gpus ?? 1);
      if (report.points.length === 0) throw new ConfigError('ref', 'pareto: no completed steps or runs to compare');
      if (f.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const { textTable } = await import('../../store/text-table.js');
      const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(x >= 100 ? 0 : 1));
      const rows = report.points
        .map((p, i) => ({ p, i }))
        .sort((a, b) => (b.p.x ?? -1) - (a.p.x ?? -1))
        .map(({ p }) => [p.on_frontier ? '*' : '', p.label, fmt(p.x), fmt(p.y), p.run_id]);
      process.stdout.write(textTable(['', 'step or run', report.x_axis, report.y_axis, 'run'], rows, { right: [2, 3] }) + '\n');
      process.stdout.write(`\n* on the frontier: ${report.frontier.length} of ${report.points.length} (no other point has both more throughput and a better ${report.y_axis})\n`);
    });
}
