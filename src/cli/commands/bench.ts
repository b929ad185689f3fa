import { ENGINE_BACKENDS, type EngineBackendChoice } from '../../engine/backend.js';
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { ConfigError } from '../../config/errors.js';
import type { BenchmarkOptions } from '../../benchmark/options.js';
import { defaultDbPath } from '../../store/default-path.js';
import { DEFAULTS, formatDefaultMs } from '../../config/defaults.js';
import {
  collect,
  collectHeader,
  collectLabel,
  nonNegativeInt,
  oneOf,
  positiveInt,
  positiveNumber,
  nonNegativeNumber,
  seconds,
  timeoutMs,
  shareOrPercent,
} from '../parse-flags.js';
import { PRESET_NAMES } from '../../engine/gguf/presets.js';

export interface BenchFlags {
  url?: string;
  api: 'chat' | 'completions';
  model?: string;
  apiKeyEnv?: string;
  header?: Record<string, string>;
  inputTokens: string;
  outputTokens: string;
  prefixTokens?: number;
  turns?: number;
  conversations?: boolean;
  thinkTime?: number;
  prefixGroups?: number;
  exactOutput: boolean;
  probe: boolean;
  calibrate: boolean;
  dataset?: string;
  datasetFormat?: 'jsonl' | 'sharegpt';
  trace?: string;
  shard?: string;
  workers: number;
  startAt?: string;
  timeScale?: number;
  skipBadLines?: boolean;
  concurrency?: number;
  rate?: number;
  arrival: 'poisson' | 'constant' | 'gamma';
  burstiness?: number;
  maxConcurrency?: number;
  rampUp?: number;
  requests?: number;
  duration?: number;
  warmup?: number;
  seed?: number;
  maxErrorRate?: number;
  timeoutConnect?: number;
  timeoutTtft?: number;
  timeoutIdle?: number;
  timeoutTotal?: number;
  slo?: string;
  sloTpotNaGood?: boolean;
  threshold?: string[];
  out?: string;
  gpuPrice?: number;
  gpus?: number;
  priceInput?: number;
  priceCachedInput?: number;
  priceOutput?: number;
  json?: boolean;
  html?: string;
  engineBackend: EngineBackendChoice;
  csv?: string;
  saveText?: boolean;
  records?: string;
  reusePrompts?: boolean;
  scrape: string[] | boolean;
  scrapeInterval?: number;
  db?: string | false;
  label?: Record<string, string>;
  preset: string;
  engineModel?: string;
  ctxSize?: number;
  parallel?: number;
  color: boolean;
}

export function registerBench(program: Command, setExit: (code: number) => void): void {
  program
    .command('bench')
    .description('Benchmark an OpenAI-compatible endpoint (the embedded engine when no --url is given)')
    .option('--config <file>', 'read options from a YAML file (keys are option names; flags on the command line win)')
    .option('--url <url>', 'OpenAI base URL including /v1 (default: $OPENAI_BASE_URL, else the embedded engine)')
    .option('--api <kind>', 'chat | completions', oneOf('--api', ['chat', 'completions'] as const), DEFAULTS.api)
    .option('--model <id>', 'model id (default: the first id from GET /models)')
    .option('--api-key-env <NAME>', `environment variable holding the API key (default: ${DEFAULTS.apiKeyEnv})`)
    .option('--header <K:V>', 'extra request header (repeatable)', collectHeader)
    .option('--input-tokens <spec>', 'prompt length: N, MIN:MAX, or MEAN,STDDEV[,MIN,MAX]', DEFAULTS.inputTokens)
    .option('--output-tokens <spec>', 'output length (max_tokens): N, MIN:MAX, MEAN,STDDEV[,MIN,MAX], or none', DEFAULTS.outputTokens)
    .option('--turns <n>', 'multi-turn: each request is a conversation of N turns, each sent with the history and the real answers (chat API)', positiveInt('--turns'))
    .option('--conversations', 'with a ShareGPT --dataset: send each conversation whole, turn by turn with the history and the real answers')
    .option('--think-time <seconds>', 'with --turns or --conversations: pause between an answer and the next turn (default 0)', nonNegativeNumber('--think-time'))
    .option('--prefix-tokens <n>', 'prefix-cache studies: every prompt opens with a shared prefix of N tokens (within --input-tokens)', positiveInt('--prefix-tokens'))
    .option('--prefix-groups <g>', 'with --prefix-tokens: G different prefixes, one drawn per request (default 1)', positiveInt('--prefix-groups'))
    .option('--no-exact-output', 'do not ask for exactly --output-tokens (no ignore_eos/min_tokens)')
    .option('--reuse-prompts', 'send the seed\'s prompts as they are: no per-run nonce, so prompt caches can hit across runs')
    .option('--no-calibrate', "size prompts in client tokens even when the server has /tokenize (default: on the server's tokenizer)")
    .option('--no-probe', 'skip the pre-run check of which optional fields the server accepts (send them all)')
    .option('--dataset <file>', 'prompts from a JSONL file ({"prompt"} or {"messages"}) or a ShareGPT JSON file')
    .option('--dataset-format <fmt>', 'jsonl | sharegpt (default: by content)', oneOf('--dataset-format', ['jsonl', 'sharegpt'] as const))
    .option('--skip-bad-lines', 'skip malformed dataset lines (counted) instead of failing')
    .option('--concurrency <n>', `closed loop: keep N requests in flight (default ${DEFAULTS.concurrency})`, positiveInt('--concurrency'))
    .option('--trace <file>', 'replay a trace: its send times and lengths (Azure LLM inference CSV, or Mooncake JSONL with hash_ids)')
    .option('--time-scale <f>', 'with --trace: multiply its clock (0.5 = twice as fast)', positiveNumber('--time-scale'))
    .option('--rate <r>', 'open loop: requests per second', positiveNumber('--rate'))
    .option('--arrival <kind>', 'poisson | constant | gamma', oneOf('--arrival', ['poisson', 'constant', 'gamma'] as const), DEFAULTS.arrival)
    .option('--burstiness <b>', 'gamma shape (1 = Poisson, <1 burstier)', positiveNumber('--burstiness'))
    .option('--max-concurrency <n>', 'cap on requests in flight for --rate', positiveInt('--max-concurrency'))
    .option('--ramp-up <seconds>', 'ramp the rate up linearly over this time', seconds('--ramp-up'))
    .option('--requests <n>', `measured requests (default ${DEFAULTS.requests.remote}; ${DEFAULTS.requests.embedded} on the embedded engine)`, positiveInt('--requests'))
    .option('--duration <seconds>', 'stop sending after this long (e.g. 60, 2m)', seconds('--duration'))
    .option('--workers <n>', 'client processes sharing the load (each a shard of the schedule, merged at the end), or auto (the cores but one); needs --url', workerCount, 1)
    .option('--shard <k/n>', 'run shard K of N (0-based) of the global schedule: the indices i with i mod N = K, with its share of --concurrency; merge the shards with inferscope merge')
    .option('--start-at <time>', 'ISO 8601 instant at which the measured phase starts, the same for every shard (e.g. 2026-12-04T10:00:00Z)')
    .option('--warmup <n>', `requests sent first and excluded from results (default ${DEFAULTS.warmup})`, nonNegativeInt('--warmup'))
    .option('--seed <n>', `seed for workload and arrivals (default ${DEFAULTS.seed})`, nonNegativeInt('--seed'))
    .option('--timeout-connect <d>', `connect timeout (default ${formatDefaultMs(DEFAULTS.timeouts.connect_ms)})`, timeoutMs('--timeout-connect'))
    .option('--timeout-ttft <d>', `time to first token timeout (default ${formatDefaultMs(DEFAULTS.timeouts.ttft_ms)})`, timeoutMs('--timeout-ttft'))
    .option('--timeout-idle <d>', `longest gap between chunks (default ${formatDefaultMs(DEFAULTS.timeouts.idle_ms)})`, timeoutMs('--timeout-idle'))
    .option('--timeout-total <d>', `whole request timeout (default ${formatDefaultMs(DEFAULTS.timeouts.total_ms)})`, timeoutMs('--timeout-total'))
    .option('--max-error-rate <share>', `the run failed (exit 3) when more requests fail, e.g. 0.1 or 10%; a run clearly above it stops early (default ${DEFAULTS.maxErrorRate})`, shareOrPercent('--max-error-rate'))
    .option('--slo <spec>', 'SLOs for goodput, e.g. ttft=500ms,tpot=50ms,e2e=10s')
    .option('--slo-tpot-na-good', 'count requests without a TPOT (one output chunk) as meeting a TPOT SLO')
    .option('--threshold <expr>', 'fail (exit 3) unless this holds, e.g. "ttft.p95<500ms" (repeatable)', collect)
    .option('--gpu-price <usd>', 'cost: price of one GPU per hour (see --gpus)', nonNegativeNumber('--gpu-price'))
    .option('--gpus <n>', 'cost: GPUs billed at --gpu-price (default 1)', positiveInt('--gpus'))
    .option('--price-input <usd>', 'cost: API price per 1M input tokens', nonNegativeNumber('--price-input'))
    .option('--price-cached-input <usd>', 'cost: API price per 1M input tokens the server reports as cached (usage.prompt_tokens_details)', nonNegativeNumber('--price-cached-input'))
    .option('--price-output <usd>', 'cost: API price per 1M output tokens', nonNegativeNumber('--price-output'))
    .option('--out <dir>', 'write results.json and requests.jsonl (appended as requests finish) here')
    .option('--html <file>', 'write a self-contained HTML report of the run')
    .option('--csv <file>', 'write one CSV row per request (for spreadsheets)')
    .option('--json', 'print the results JSON on stdout (and nothing else there)')
    .option('--save-text', 'keep generated text in the per-request records')
    .option('--records <which>', 'per-request records kept: all (exact percentiles), sample:R (e.g. sample:1%) or none; without all, every figure comes from HDR histograms of every request (within 0.1%), so long runs hold constant memory (default all)')
    .option('--scrape <url>', "scrape this Prometheus /metrics during the run (repeatable; default: the target's own)", collect)
    .option('--no-scrape', 'do not scrape any /metrics')
    .option('--scrape-interval <seconds>', `seconds between scrapes (default ${DEFAULTS.scrapeIntervalS}, every 0.25 s during the first 10 s of a short run; fractions allowed)`, positiveNumber('--scrape-interval'))
    .option('--db <path|url>', 'record the run in this SQLite file or postgres:// database (default: $INFERSCOPE_DB, else the user data directory)')
    .option('--no-db', 'do not record the run')
    .option('--label <k=v>', 'label the recorded run (repeatable)', collectLabel)
    .option('--preset <name>', 'embedded engine model preset: tiny | small | medium', oneOf('--preset', PRESET_NAMES), DEFAULTS.engine.preset)
    .option('--engine-model <path.gguf>', 'embedded engine: serve this GGUF model instead of a generated one')
    .option('--parallel <n>', `embedded engine: requests decoded together (default ${DEFAULTS.engine.parallel})`, positiveInt('--parallel'))
    .option('--ctx-size <tokens>', 'embedded engine: context per sequence, prompt + output (default: sized from the workload)', positiveInt('--ctx-size'))
    .option('--engine-backend <name>', 'embedded engine: auto | llama-server | node-llama-cpp (auto: llama-server once `inferscope build-engine` has built it)', oneOf('--engine-backend', ENGINE_BACKENDS), DEFAULTS.engine.backend)
    .option('--no-color', 'plain summary without colors')
    .action(async (flags: BenchFlags) => {
      if (flags.workers > 1) {
        const { runWorkersCommand } = await import('./bench-workers.js');
        setExit(await runWorkersCommand(flags.workers, toOptions(flags), { json: !!flags.json, color: flags.color, ...(flags.out ? { out: flags.out } : {}) }));
        return;
      }
      const { runBenchCommand } = await import('./bench-action.js');
      setExit(
        await runBenchCommand(toOptions(flags), {
          json: !!flags.json,
          color: flags.color,
          ...(flags.html ? { html: flags.html } : {}),
          ...(flags.csv ? { csv: flags.csv } : {}),
        }),
      );
    });
}

/** Flags -> the programmatic API's options. Environment lookups happen here, at the edge. */
export function toOptions(f: BenchFlags): BenchmarkOptions {
  const keyEnv = f.apiKeyEnv ?? DEFAULTS.apiKeyEnv;
  const apiKey = process.env[keyEnv];
  if (f.apiKeyEnv && !apiKey) throw new ConfigError('--api-key-env', `--api-key-env: environment variable ${keyEnv} is not set`);
  const url = f.url ?? (process.env.OPENAI_BASE_URL || undefined);
  const o: BenchmarkOptions = {
    api: f.api,
    inputTokens: f.inputTokens,
    outputTokens: f.outputTokens,
    ...(f.prefixTokens !== undefined ? { prefixTokens: f.prefixTokens } : {}),
    ...(f.turns !== undefined ? { turns: f.turns } : {}),
    ...(f.conversations ? { conversations: true } : {}),
    ...(f.thinkTime !== undefined ? { thinkTimeS: f.thinkTime } : {}),
    ...(f.prefixGroups !== undefined ? { prefixGroups: f.prefixGroups } : {}),
    exactOutput: f.exactOutput,
    probe: f.probe,
    calibrate: f.calibrate,
    arrival: f.arrival,
    headers: f.header ?? {},
    thresholds: f.threshold ?? [],
    labels: f.label ?? {},
    saveText: !!f.saveText,
    reusePrompts: !!f.reusePrompts,
    skipBadLines: !!f.skipBadLines,
    sloTpotNaIsGood: !!f.sloTpotNaGood,
    scrape: f.scrape !== false,
    scrapeUrls: Array.isArray(f.scrape) ? f.scrape : [],
    engine: {
      preset: f.preset,
      ...(f.parallel !== undefined ? { parallel: f.parallel } : {}),
      ...(f.engineModel ? { modelPath: f.engineModel } : {}),
      ...(f.ctxSize !== undefined ? { contextSize: f.ctxSize } : {}),
      backend: f.engineBackend,
    },
    // Unset timeouts take the defaults of the options schema.
    timeouts: {
      ...(f.timeoutConnect !== undefined ? { connect_ms: f.timeoutConnect } : {}),
      ...(f.timeoutTtft !== undefined ? { ttft_ms: f.timeoutTtft } : {}),
      ...(f.timeoutIdle !== undefined ? { idle_ms: f.timeoutIdle } : {}),
      ...(f.timeoutTotal !== undefined ? { total_ms: f.timeoutTotal } : {}),
    },
  };
  const set = <K extends keyof BenchmarkOptions>(k: K, v: BenchmarkOptions[K] | undefined): void => {
    if (v !== undefined) o[k] = v;
  };
  set('url', url);
  set('model', f.model);
  set('apiKey', apiKey || undefined);
  set('dataset', f.dataset);
  set('trace', f.trace);
  set('shard', f.shard);
  set('startAt', f.startAt);
  set('timeScale', f.timeScale);
  set('datasetFormat', f.datasetFormat);
  set('concurrency', f.concurrency);
  set('rate', f.rate);
  set('burstiness', f.burstiness);
  set('maxConcurrency', f.maxConcurrency);
  set('rampUpS', f.rampUp);
  set('requests', f.requests);
  set('durationS', f.duration);
  set('warmup', f.warmup);
  set('seed', f.seed);
  set('maxErrorRate', f.maxErrorRate);
  set('slo', f.slo);
  set('outDir', f.out);
  set('records', f.records);
  if (f.gpuPrice !== undefined || f.priceInput !== undefined || f.priceOutput !== undefined) {
    if (f.gpuPrice !== undefined && (f.priceInput !== undefined || f.priceOutput !== undefined)) {
      throw new ConfigError('--gpu-price', '--gpu-price prices the window; --price-input/--price-output price tokens: give one kind');
    }
    o.prices = {
      ...(f.gpuPrice !== undefined ? { gpu_per_hour: f.gpuPrice, gpu_count: f.gpus ?? 1 } : {}),
      ...(f.priceInput !== undefined ? { input_per_1m: f.priceInput } : {}),
      ...(f.priceOutput !== undefined ? { output_per_1m: f.priceOutput } : {}),
      ...(f.priceCachedInput !== undefined ? { cached_input_per_1m: f.priceCachedInput } : {}),
    };
  }
  set('scrapeIntervalS', f.scrapeInterval);
  if (f.db !== false) o.db = f.db ?? defaultDbPath();
  return o;
}

/** --workers: a positive count, or auto = the available cores less one for the machine's own work. */
function workerCount(text: string): number {
  if (text === 'auto') return Math.max(1, availableParallelism() - 1);
  return positiveInt('--workers')(text);
}
