import { z } from 'zod';
import { DEFAULTS } from '../../config/defaults.js';
import { ConfigError } from '../../config/errors.js';
import { parseSpanMs } from './span.js';

const M = DEFAULTS.monitor;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const name = z.string().regex(NAME, 'use letters, digits, ".", "_" or "-", starting with a letter or digit');
/** "*" or a list of names. */
const selector = z.union([z.literal('*'), z.array(name).min(1)]);

/** A duration string or a bare number of seconds, parsed to ms; errors keep the key's path. */
const span = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseSpanMs(v, 'value');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof ConfigError ? err.message.replace(/^value: /, '') : String(err) });
    return z.NEVER;
  }
});

const hostPort = z.string().transform((v, ctx) => {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `expected HOST:PORT (e.g. "${M.listen}"), got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
});

const httpUrl = z.string().url().refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL');

export const targetSchema = z
  .object({
    name,
    url: httpUrl,
    model: z.string().min(1).optional(),
    api: z.enum(['chat', 'completions']).default(DEFAULTS.api),
    /** Name of the environment variable holding the key; the key itself is never in the file. */
    api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
    headers: z.record(z.string(), z.string()).default({}),
    labels: z.record(z.string(), z.string()).default({}),
    /** auto: the target's own /metrics; off; or the URL of the exposition. */
    scrape: z.union([z.literal('auto'), z.literal('off'), httpUrl]).default('auto'),
    /** More expositions to scrape for this target (DCGM exporter, a sidecar). */
    scrape_extra: z.array(httpUrl).default([]),
    scrape_every: span.prefault(M.scrapeEvery),
  })
  .strict();

export const probeSchema = z
  .object({
    name,
    every: span.prefault(M.every),
    input_tokens: z.number().int().positive().default(M.inputTokens),
    output_tokens: z.number().int().positive().default(M.outputTokens),
    timeout: span.prefault(M.timeout),
    targets: selector.default('*'),
  })
  .strict();

export const sloSchema = z
  .object({
    name: name.optional(),
    targets: selector.default('*'),
    probe: name,
    ttft: span.optional(),
    tpot: span.optional(),
    e2e: span.optional(),
    objective: z.number().gt(0).lt(1).default(M.sloObjective),
    window: span.prefault(M.sloWindow),
  })
  .strict();

const webhookSchema = z
  .object({
    url: httpUrl,
    format: z.enum(['json', 'slack']).default('json'),
  })
  .strict();

export const monitorConfigSchema = z
  .object({
    listen: hostPort.prefault(M.listen),
    store: z.string().min(1).default(M.store),
    /** A PostgreSQL URL several instances share: each keeps its own store and copies its probes and scrapes there. */
    /** Also export the probes' metrics over OTLP/HTTP (GenAI semantic conventions) to this collector URL. */
    otlp: z.object({ endpoint: httpUrl, every: span.prefault('15s') }).strict().optional(),
    shared_store: z.string().regex(/^postgres(ql)?:\/\//i, 'a postgres:// or postgresql:// URL').optional(),
    location: name.default(M.location),
    retention: span.prefault(M.retention),
    jitter: z.number().min(0).max(0.5).default(M.jitter),
    targets: z.array(targetSchema).min(1, 'give at least one target'),
    probes: z.array(probeSchema).min(1, 'give at least one probe'),
    slos: z.array(sloSchema).default([]),
    alerts: z
      .object({
        webhooks: z.array(webhookSchema).default([]),
        failing: z
          .object({ k: z.number().int().positive(), n: z.number().int().positive() })
          .strict()
          .refine((f) => f.k <= f.n, 'k must be at most n')
          .default({ ...M.failing }),
        min_probes: z.number().int().positive().default(M.minProbes),
        /** With a shared store: fire when at least this many locations see a target failing (k of n locations). */
        locations: z.number().int().min(1).optional(),
        /** "Regressed against baseline": the last `window` of probes against the `baseline` before, as `compare` judges. */
        regression: z
          .object({
            window: span.prefault('1h'),
            baseline: span.prefault('24h'),
            metrics: z.array(z.string().regex(/^(ttft|tpot|itl|e2e)_(mean|p50|p90|p99)$/, 'a latency metric such as ttft_p50 or e2e_p99')).min(1).default(['ttft_p50', 'e2e_p50']),
            min_probes: z.number().int().min(5).default(20),
            threshold_pct: z.number().positive().default(20),
            every: span.prefault('5m'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ webhooks: [], failing: { ...M.failing }, min_probes: M.minProbes }),
  })
  .strict();

export type MonitorConfigInput = z.input<typeof monitorConfigSchema>;
export type MonitorConfigParsed = z.output<typeof monitorConfigSchema>;
