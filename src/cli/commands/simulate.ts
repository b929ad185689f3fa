import type { Command } from 'commander';
import { DEFAULTS } from '../../config/defaults.js';
import { collect, nonNegativeInt, oneOf, positiveInt, positiveNumber, share } from '../parse-flags.js';
import type { SimulateFlags } from './simulate-action.js';

const DTYPES = ['bf16', 'fp8', 'int8', 'int4'] as const;

/** `inferscope simulate`: a continuous-batching server simulated from measured runs (or the roofline), for what-if questions. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Predict latency and throughput at other loads, prompt lengths or replica counts from a simulated server calibrated on measured runs (or the roofline)')
    .option('--calibrate <run-or-sweep>', 'fit the costs to measured runs or sweeps (repeatable; two loads or more fit best)', collect, [])
    .option('--model <name|config.json|file.gguf>', 'without --calibrate: best-case costs from the roofline of this model (see `inferscope roofline --list`)')
    .option('--gpu <name>', 'with --model: the GPU')
    .option('--tp <n>', 'with --model: GPUs in tensor parallel (default 1)', positiveInt('--tp'), 1)
    .option('--dtype <type>', 'with --model: weight type bf16 | fp8 | int8 | int4', oneOf('--dtype', DTYPES), 'bf16')
    .option('--concurrency <list>', 'closed loops to predict, e.g. 1,2,4,8 (default: the calibration runs\' loads, else 4)')
    .option('--rate <list>', 'open loops to predict in requests/s, e.g. 2,4,8')
    .option('--arrival <kind>', 'with --rate: poisson | constant | gamma', oneOf('--arrival', ['poisson', 'constant', 'gamma'] as const), DEFAULTS.arrival)
    .option('--burstiness <b>', 'with --arrival gamma: the shape (1 = Poisson, <1 burstier)', positiveNumber('--burstiness'))
    .option('--requests <n>', `requests simulated per load (default ${DEFAULTS.simulate.requests})`, positiveInt('--requests'), DEFAULTS.simulate.requests)
    .option('--input-tokens <n>', 'prompt tokens per request (default: the calibration requests\' lengths)', positiveInt('--input-tokens'))
    .option('--output-tokens <n>', 'output tokens per request (default: the calibration requests\' lengths)', positiveInt('--output-tokens'))
    .option('--max-seqs <n>', 'sequences the server runs at once (default: the embedded engine\'s slots, else unlimited)', positiveInt('--max-seqs'))
    .option('--kv-tokens <n>', 'KV-cache capacity in tokens; when full the newest sequence is preempted (default: unlimited)', positiveInt('--kv-tokens'))
    .option('--chunked-prefill <n>', 'prefill at most this many prompt tokens per step', positiveInt('--chunked-prefill'))
    .option('--replicas <n>', 'independent copies of the server behind a least-loaded balancer (what-if: more GPUs)', positiveInt('--replicas'), 1)
    .option('--slo <spec>', 'SLOs for goodput, e.g. ttft=500ms,tpot=50ms')
    .option('--find-capacity', 'with --slo: the highest load (rate with --rate, else concurrency) that meets it')
    .option('--attainment <share>', 'with --find-capacity: share of requests that must meet every SLO', share('--attainment'), DEFAULTS.sweep.attainment)
    .option('--check <run-or-sweep>', 'replay measured runs\' loads and set predicted beside measured (repeatable)', collect, [])
    .option('--html <file>', 'with --check SWEEP: the sweep report with the predicted TTFT and TPOT drawn beside the measured')
    .option('--seed <n>', `seed for arrivals and lengths (default ${DEFAULTS.seed})`, nonNegativeInt('--seed'), DEFAULTS.seed)
    .option('--db <path|url>', 'SQLite file or postgres:// URL of stored runs (default: $INFERSCOPE_DB or the user data directory)')
    .option('--json', 'print the prediction as JSON (predicted.summary is shaped like results.json\'s summary)')
    .action(async (flags: SimulateFlags) => {
      const { simulateCommand } = await import('./simulate-action.js');
      await simulateCommand(flags);
    });
}
