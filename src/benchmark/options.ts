import { z } from 'zod';
import { ENGINE_BACKENDS } from '../engine/backend.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigError } from '../config/errors.js';
import { parseRecordsPolicy } from './records-policy.js';

/**
 * Options of a benchmark run, as the programmatic API takes them. The CLI turns flags into exactly this object.
 * Specs stay strings here (e.g. inputTokens "100:200", slo "ttft=500ms") and are parsed, with errors naming the
 * field, by `resolveBenchmarkConfig` before anything runs.
 */
export const benchmarkOptionsSchema = z
  .object({
    /** OpenAI base URL including /v1; absent -> the embedded engine. */
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')
      .optional(),
    api: z.enum(['chat', 'completions']).default(DEFAULTS.api),
    model: z.string().min(1).optional(),
    /** The key itself (from OPENAI_API_KEY or --api-key-env); never written anywhere. */
    apiKey: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),

    inputTokens: z.string().default(DEFAULTS.inputTokens),
    outputTokens: z.string().default(DEFAULTS.outputTokens),
    /** Synthetic prompts open with one of `prefixGroups` shared prefixes of this many tokens (prefix-cache studies). */
    prefixTokens: z.number().int().positive().optional(),
    /** Run shard K of N (0-based) of the global schedule: "K/N". */
    shard: z.string().optional(),
    /** ISO 8601 wall-clock instant at which every shard's measured phase starts. */
    startAt: z.string().optional(),
    /** Multi-turn: each request is a conversation of this many turns, each carrying the history (chat API). */
    turns: z.number().int().min(2).max(1000).optional(),
    /** A ShareGPT dataset's conversations are sent whole, turn by turn with the history (chat API). */
    conversations: z.boolean().default(false),
    /** Seconds between an answer and the next turn of its conversation. */
    thinkTimeS: z.number().min(0).finite().default(0),
    /** Distinct shared prefixes (default 1 with prefixTokens). */
    prefixGroups: z.number().int().positive().max(100_000).optional(),
    /** Ask the server for exactly the output length (ignore_eos/min_tokens where accepted). */
    exactOutput: z.boolean().default(true),
    /**
     * Probe which optional fields (stream_options, ignore_eos, min_tokens) the server accepts before the run.
     * Off: all are sent as if accepted (the embedded engine is never probed: it accepts them all).
     */
    probe: z.boolean().default(true),
    /** Send the seed's prompts exactly (no per-run nonce), so a server's prompt cache can match earlier runs. */
    reusePrompts: z.boolean().default(false),
    /** Size synthetic prompts on the server's tokenizer when it has a /tokenize endpoint. */
    calibrate: z.boolean().default(true),
    dataset: z.string().optional(),
    /** Replay this trace (Azure LLM inference CSV or Mooncake JSONL): its send times and lengths. */
    trace: z.string().optional(),
    /** Multiplies the trace's clock: 0.5 replays twice as fast, 2 half as fast. */
    timeScale: z.number().positive().finite().default(1),
    datasetFormat: z.enum(['jsonl', 'sharegpt']).optional(),
    skipBadLines: z.boolean().default(false),

    concurrency: z.number().int().positive().optional(),
    rate: z.number().positive().optional(),
    arrival: z.enum(['poisson', 'constant', 'gamma']).default(DEFAULTS.arrival),
    /** Gamma shape of an open loop's gaps; unset: DEFAULTS.burstiness. */
    burstiness: z.number().positive().optional(),
    maxConcurrency: z.number().int().positive().optional(),
    rampUpS: z.number().nonnegative().default(0),
    requests: z.number().int().positive().optional(),
    durationS: z.number().positive().optional(),
    warmup: z.number().int().nonnegative().default(DEFAULTS.warmup),
    seed: z.number().int().nonnegative().default(DEFAULTS.seed),
    /** Share of failed requests (0-1) above which the run failed; the circuit breaker stops one clearly above it. */
    maxErrorRate: z.number().min(0).max(1).default(DEFAULTS.maxErrorRate),

    timeouts: z
      .object({
        connect_ms: z.number().positive().default(DEFAULTS.timeouts.connect_ms),
        ttft_ms: z.number().positive().default(DEFAULTS.timeouts.ttft_ms),
        idle_ms: z.number().positive().default(DEFAULTS.timeouts.idle_ms),
        total_ms: z.number().positive().default(DEFAULTS.timeouts.total_ms),
      })
      .default({ ...DEFAULTS.timeouts }),

    slo: z.string().optional(),
    sloTpotNaIsGood: z.boolean().default(false),
    thresholds: z.array(z.string()).default([]),

    /** Cost: a GPU price per hour (x gpuCount) or API prices per 1M input/output tokens. */
    prices: z
      .object({
        gpu_per_hour: z.number().nonnegative().optional(),
        gpu_count: z.number().int().positive().optional(),
        input_per_1m: z.number().nonnegative().optional(),
        output_per_1m: z.number().nonnegative().optional(),
        cached_input_per_1m: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),

    outDir: z.string().optional(),
    saveText: z.boolean().default(false),
    /** Per-request records kept: all (exact percentiles), sample:R or none (summary from HDR histograms). */
    records: z.string().default('all'),

    /** 'auto' = the target's own /metrics when it answers; [] with scrape:false turns scraping off. */
    scrapeUrls: z.array(z.string().url()).default([]),
    scrape: z.boolean().default(true),
    /** Seconds between scrapes; unset: the default, scraped faster during the first seconds (short runs need samples). */
    scrapeIntervalS: z.number().positive().optional(),

    /** SQLite path; undefined -> no store unless the caller sets one. */
    db: z.string().optional(),
    labels: z.record(z.string(), z.string()).default({}),

    /** Embedded engine (used when url is absent). */
    engine: z
      .object({
        preset: z.string().default(DEFAULTS.engine.preset),
        modelPath: z.string().optional(),
        parallel: z.number().int().positive().default(DEFAULTS.engine.parallel),
        /** Tokens per sequence (prompt + completion); unset: sized from the workload. */
        contextSize: z.number().int().min(256).max(1_048_576).optional(),
        /** What runs it: auto (llama-server when built, else node-llama-cpp), llama-server or node-llama-cpp. */
        backend: z.enum(ENGINE_BACKENDS).default(DEFAULTS.engine.backend),
      })
      .default({ preset: DEFAULTS.engine.preset, parallel: DEFAULTS.engine.parallel, backend: DEFAULTS.engine.backend }),
  })
  .strict();

export type BenchmarkOptions = z.input<typeof benchmarkOptionsSchema>;
export type ValidatedOptions = z.output<typeof benchmarkOptionsSchema>;

/** Validates options; the first problem becomes a ConfigError naming the field. */
export function validateOptions(input: BenchmarkOptions): ValidatedOptions {
  const parsed = benchmarkOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(options)';
    throw new ConfigError(field, `${flagOf(field)}: ${issue.message}`);
  }
  const o = parsed.data;
  if (o.concurrency !== undefined && o.rate !== undefined) {
    throw new ConfigError('concurrency', 'give either --concurrency (closed loop) or --rate (open loop), not both');
  }
  if (o.maxConcurrency !== undefined && o.rate === undefined) {
    throw new ConfigError('maxConcurrency', '--max-concurrency caps an open loop; it needs --rate');
  }
  if (o.burstiness !== undefined && o.rate === undefined) {
    throw new ConfigError('burstiness', '--burstiness shapes the gaps of an open loop; it needs --rate');
  }
  parseRecordsPolicy(o.records);
  if (o.arrival === 'gamma' && o.rate === undefined) {
    throw new ConfigError('arrival', '--arrival needs --rate');
  }
  return o;
}

const FLAG_NAMES: Record<string, string> = {
  durationS: '--duration',
  rampUpS: '--ramp-up',
  scrapeIntervalS: '--scrape-interval',
  scrapeUrls: '--scrape-url',
  thresholds: '--threshold',
  apiKey: '--api-key-env',
  headers: '--header',
  outDir: '--out',
  'timeouts.connect_ms': '--timeout-connect',
  'timeouts.ttft_ms': '--timeout-ttft',
  'timeouts.idle_ms': '--timeout-idle',
  'timeouts.total_ms': '--timeout-total',
  'engine.modelPath': '--model-path',
  'engine.preset': '--preset',
  'engine.parallel': '--parallel',
  'engine.contextSize': '--ctx-size',
  'engine.backend': '--engine-backend',
  maxErrorRate: '--max-error-rate',
  records: '--records',
};

/** The CLI flag of an options field, so a message names what the user typed: durationS -> --duration. */
export function flagOf(field: string): string {
  const known = FLAG_NAMES[field] ?? FLAG_NAMES[field.replace(/\.\d+$/, '')];
  if (known) return known;
  const top = field.split('.')[0] ?? field;
  return `--${top.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
