import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { positiveInt, share } from '../parse-flags.js';
import { DEFAULTS } from '../../config/defaults.js';
import { assertWritableFile } from '../../config/writable-path.js';
import { toOptions, type BenchFlags } from './bench.js';

/** Bench options that mean something else in a sweep (load lists, per-sweep outputs) or not at all. */
const NOT_FROM_BENCH = new Set(['--concurrency', '--rate', '--out', '--json', '--html', '--csv', '--threshold', '--shard', '--start-at', '--workers']);

interface SweepFlags extends Omit<BenchFlags, 'concurrency' | 'rate'> {
  concurrency?: string;
  rate?: string;
  repeat: number;
  interleave: boolean;
  findCapacity?: boolean;
  attainment: number;
  maxProbes?: number;
  steps?: number;
}

/**
 * `inferscope sweep`: one session, one step per load value, every step an ordinary stored run. Takes every bench
 * option that describes the target, workload and limits (they are bench's own Option objects, so help and
 * parsing are the same), with --concurrency/--rate as lists.
 */
export function registerSweep(program: Command, setExit: (code: number) => void): void {
  const bench = program.commands.find((c) => c.name() === 'bench');
  if (!bench) throw new Error('register bench before sweep');
  const cmd = program
    .command('sweep')
    .description('Measure a family of loads in one session: a step per concurrency or rate, with the frontier and knee')
    .option('--concurrency <list>', 'closed loop: one step per value, e.g. 1,2,4,8,16; auto (the default without --rate): 1, 2, 4, ... until throughput stops growing')
    .option('--rate <list>', 'open loop: one step per rate in requests/s, e.g. 2,4,8,16; auto: a synchronous and a throughput step, then --steps rates between')
    .option('--steps <n>', 'with --rate auto: rates between the synchronous and the throughput step (default 5)', positiveInt('--steps'))
    .option('--repeat <k>', 'runs per load; the spread between them shows the noise', positiveInt('--repeat'), 1)
    .option('--no-interleave', 'with --repeat: run each load\'s repeats in a row (default: in rounds, 1..N then 1..N again, so a machine whose speed drifts weighs on every load alike)')
    .option('--find-capacity', 'search for the highest load meeting --slo (bracket, then bisect); the smallest listed load starts it (default: --rate 1)')
    .option('--attainment <share>', 'with --find-capacity: share of requests that must meet every SLO', share('--attainment'), DEFAULTS.sweep.attainment)
    .option('--max-probes <n>', `with --find-capacity: most steps the search runs (default ${DEFAULTS.sweep.maxProbes})`, positiveInt('--max-probes'))
    .option('--out <dir>', 'write sweep.json and step-<k>/results.json, requests.jsonl here')
    .option('--json', 'print sweep.json on stdout (and nothing else there)')
    .option('--html <file>', 'write a self-contained HTML report of the sweep (frontier, curves vs load)')
    .option('--resume <sweep>', 'continue a stopped sweep (id in the store, or its --out directory): its loads and repeats unless given, only the missing steps run');
  for (const option of bench.options) if (option.long && !NOT_FROM_BENCH.has(option.long)) cmd.addOption(option);
  cmd.action(async (flags: SweepFlags & { out?: string; json?: boolean; html?: string; resume?: string }) => {
    if (flags.trace !== undefined) {
      throw new ConfigError('--trace', 'a sweep varies the load and --trace replays a fixed one: use `inferscope bench --trace FILE` (with --time-scale to speed it up)');
    }
    if (flags.concurrency !== undefined && flags.rate !== undefined) {
      throw new ConfigError('--concurrency', 'sweep takes --concurrency LIST or --rate LIST, not both');
    }
    const { concurrency: _c, rate: _r, repeat: repeatFlag, interleave, out, json, html, resume, findCapacity, attainment, maxProbes, steps, ...benchFlags } = flags;
    let repeat = repeatFlag;
    if (html) assertWritableFile(html, '--html');
    const benchmark = toOptions(benchFlags as BenchFlags);
    const capacity = findCapacity ? { attainment, ...(maxProbes !== undefined ? { maxProbes } : {}) } : undefined;
    let previous;
    if (resume !== undefined) {
      const { loadSweepIfAny } = await import('../../sweep/load-sweep.js');
      previous = loadSweepIfAny(resume, benchmark.db ? { db: benchmark.db } : {})?.sweep;
      if (!previous) throw new ConfigError('--resume', `--resume: no sweep ${JSON.stringify(resume)} (an id in the store, or a sweep --out directory)`);
    }
    const { parseSweepAxis } = await import('../../sweep/plan.js');
    let axis;
    if (flags.concurrency !== undefined) axis = parseSweepAxis(flags.concurrency, 'concurrency', '--concurrency');
    else if (flags.rate !== undefined) axis = parseSweepAxis(flags.rate, 'rate', '--rate');
    else if (findCapacity) axis = { kind: 'rate' as const, values: [1] };
    else if (previous && !previous.axis.auto) {
      // A resume without loads continues the sweep's own (and its repeats, unless given).
      axis = { kind: previous.axis.kind, values: previous.axis.values };
      if (cmd.getOptionValueSource('repeat') === 'default') repeat = previous.repeat;
    } else {
      axis = parseSweepAxis('auto', 'concurrency', '--concurrency');
      process.stderr.write('no --concurrency or --rate given: sweeping --concurrency auto (1, 2, 4, ... until output throughput stops growing)\n');
    }
    const { runSweepCommand } = await import('./sweep-action.js');
    setExit(await runSweepCommand({ benchmark, axis, repeat, interleave, ...(out ? { outDir: out } : {}), ...(capacity ? { capacity } : {}), ...(previous ? { resume: previous } : {}), ...(steps !== undefined ? { autoSteps: steps } : {}) }, { json: !!json, ...(html ? { html } : {}) }));
  });
}

/** A share in (0, 1], e.g. 0.99. */
