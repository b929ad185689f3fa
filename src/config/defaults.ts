/**
 * Every default of inferscope, defined once: the options schema, the CLI's help texts and the README read these.
 */
export const DEFAULTS = {
  api: 'chat',
  apiKeyEnv: 'OPENAI_API_KEY',
  inputTokens: '256',
  outputTokens: '128',
  /** Closed-loop concurrency when neither --concurrency nor --rate is given. */
  concurrency: 4,
  /** Measured requests when neither --requests nor --duration is given. */
  requests: { remote: 100, embedded: 32 },
  arrival: 'poisson',
  burstiness: 1,
  warmup: 0,
  seed: 42,
  timeouts: { connect_ms: 10_000, ttft_ms: 120_000, idle_ms: 60_000, total_ms: 600_000 },
  scrapeIntervalS: 1,
  engine: { preset: 'tiny', parallel: 4 },
  serve: { port: 8000, host: '127.0.0.1' },
} as const;

/** "10s", "2m": a default duration in the form the CLI accepts, for help texts. */
export function formatDefaultMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}
