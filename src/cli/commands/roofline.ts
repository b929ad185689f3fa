import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { oneOf, positiveInt, positiveNumber } from '../parse-flags.js';

const DTYPES = ['bf16', 'fp8', 'int8', 'int4'] as const;

interface RooflineFlags {
  model?: string;
  gpu?: string;
  tp: number;
  dtype: (typeof DTYPES)[number];
  kvDtype?: (typeof DTYPES)[number];
  batch: number;
  promptTokens: number;
  context?: number;
  bandwidth?: number;
  flops?: number;
  memory?: number;
  list?: boolean;
  json?: boolean;
  run?: string;
  db?: string;
}

/** `inferscope roofline`: the hardware's bounds for a model on a GPU (latency floors, throughput ceilings, memory). */
export function registerRoofline(program: Command): void {
  program
    .command('roofline')
    .description('Lower bounds on TTFT and TPOT and the best-case throughput of a model on a GPU, from bandwidth, compute and memory')
    .option('--model <name|config.json|file.gguf>', 'a model from the table (--list), a Hugging Face config.json or a GGUF file')
    .option('--gpu <name>', 'a GPU from the table (--list); or give --bandwidth, --flops and --memory')
    .option('--tp <n>', 'GPUs in tensor parallel (default 1)', positiveInt('--tp'), 1)
    .option('--dtype <type>', 'weight type: bf16 | fp8 | int8 | int4', oneOf('--dtype', DTYPES), 'bf16')
    .option('--kv-dtype <type>', 'KV-cache type (default: bf16)', oneOf('--kv-dtype', DTYPES))
    .option('--batch <b>', 'sequences decoded together (default 1)', positiveInt('--batch'), 1)
    .option('--prompt-tokens <p>', 'prompt length for the TTFT bound (default 1000)', positiveInt('--prompt-tokens'), 1000)
    .option('--context <c>', 'tokens each sequence holds while decoding (default: --prompt-tokens)', positiveInt('--context'))
    .option('--bandwidth <tb/s>', 'explicit GPU: memory bandwidth in TB/s', positiveNumber('--bandwidth'))
    .option('--flops <tflops>', 'explicit GPU: dense tensor TFLOPS at --dtype', positiveNumber('--flops'))
    .option('--memory <gb>', 'explicit GPU: memory in GB', positiveNumber('--memory'))
    .option('--run <run>', 'also the efficiency of a measured run of this model on this GPU: MBU from its TPOT, MFU from its TTFT')
    .option('--db <path|url>', 'SQLite file or postgres:// URL for --run (default: $INFERSCOPE_DB or the user data directory)')
    .option('--list', 'list the models and GPUs in the tables')
    .option('--json', 'print the figures as JSON')
    .action(async (flags: RooflineFlags) => {
      const { gpuTable, modelTable, findGpu, loadModel } = await import('../../analysis/roofline-tables.js');
      if (flags.list) {
        const lines = ['models:', ...Object.entries(modelTable()).map(([k, m]) => `  ${k.padEnd(16)} ${m.name}`), 'gpus:', ...Object.entries(gpuTable()).map(([k, g]) => `  ${k.padEnd(16)} ${g.name}, ${g.bandwidth_tbs} TB/s, ${g.tflops.bf16} BF16 TFLOPS, ${g.memory_gb} GB`)];
        process.stdout.write(lines.join('\n') + '\n');
        return;
      }
      if (!flags.model) throw new ConfigError('--model', 'roofline needs --model (a name from --list, or a config.json)');
      const explicit = flags.bandwidth !== undefined || flags.flops !== undefined || flags.memory !== undefined;
      if (explicit && (flags.bandwidth === undefined || flags.flops === undefined || flags.memory === undefined)) {
        throw new ConfigError('--bandwidth', 'an explicit GPU needs all of --bandwidth, --flops and --memory');
      }
      if (!explicit && !flags.gpu) throw new ConfigError('--gpu', 'roofline needs --gpu (a name from --list) or --bandwidth, --flops and --memory');
      const gpu = explicit ? { name: 'custom GPU', bandwidth_tbs: flags.bandwidth!, memory_gb: flags.memory!, tflops: { [flags.dtype]: flags.flops! } } : findGpu(flags.gpu!);
      const { roofline } = await import('../../analysis/roofline.js');
      const { formatRoofline } = await import('../../analysis/format-roofline.js');
      const base = { model: await loadModel(flags.model), gpu, tp: flags.tp, dtype: flags.dtype, kvDtype: flags.kvDtype ?? 'bf16' } as const;
      const r = roofline({ ...base, batch: flags.batch, promptTokens: flags.promptTokens, context: flags.context ?? flags.promptTokens });
      let efficiency = null;
      if (flags.run) {
        const { loadRun } = await import('../../results/load-run.js');
        const { runEfficiency } = await import('../../analysis/roofline.js');
        const run = await loadRun(flags.run, flags.db ? { db: flags.db } : {});
        const s = run.results.summary;
        const batch = run.results.server?.requests_running?.mean ?? s.throughput.concurrency.mean;
        if (batch === null || s.tpot_ms.p50 === null || s.ttft_ms.p50 === null || s.tokens.mean_input_per_request == null) {
          throw new ConfigError('--run', `--run ${flags.run}: the run has no TPOT, TTFT or token counts to compare`);
        }
        efficiency = runEfficiency(base, { batch, promptTokens: s.tokens.mean_input_per_request, outputTokens: s.tokens.mean_output_per_request ?? 0, tpotMs: s.tpot_ms.p50, ttftMs: s.ttft_ms.p50 });
      }
      if (flags.json) process.stdout.write(JSON.stringify(efficiency ? { ...r, efficiency } : r, null, 2) + '\n');
      else {
        const lines = [formatRoofline(r)];
        if (efficiency) {
          lines.push(
            `run ${flags.run}: batch ${efficiency.batch}, TPOT p50 ${efficiency.tpot_p50_ms.toFixed(2)} ms -> MBU ${(100 * efficiency.mbu).toFixed(1)}% of the bandwidth in decode; ` +
              `TTFT p50 ${efficiency.ttft_p50_ms.toFixed(1)} ms for ${efficiency.prompt_tokens} prompt tokens -> MFU ${(100 * efficiency.mfu).toFixed(1)}% of the compute in prefill (queueing included)`,
          );
        }
        process.stdout.write(lines.join('\n') + '\n');
      }
    });
}
