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
  /** A run with a larger share of failed requests failed (exit 3); the circuit breaker stops one clearly above it. */
  maxErrorRate: 0.1,
  /** Longest accepted --input-tokens/--output-tokens value. */
  maxLengthTokens: 10_000_000,
  timeouts: { connect_ms: 10_000, ttft_ms: 120_000, idle_ms: 60_000, total_ms: 600_000 },
  scrapeIntervalS: 1,
  engine: {
    preset: 'tiny',
    parallel: 4,
    /** llama-server when built, else node-llama-cpp (see engine/backend.ts). */
    backend: 'auto' as const,
    /** llama.cpp threads: 1 is the fastest for the small generated models on a shared machine. */
    threads: 1,
    /** Context per sequence sized from the workload (no --ctx-size): at least min, at most max tokens. */
    autoContext: { min: 2048, max: 32_768 },
  },
  sweep: {
    /** --find-capacity: share of requests that must meet every SLO. */
    attainment: 0.99,
    /** --find-capacity: most probes (steps). */
    maxProbes: 12,
    /** --repeat: run the repeats in rounds (every load, then every load again) rather than each load's in a row. */
    interleave: true,
  },
  simulate: {
    /** Requests simulated per load. */
    requests: 1000,
  },
  serve: { port: 8000, host: '127.0.0.1', contextSize: 8192 },
  monitor: {
    listen: '127.0.0.1:9464',
    store: './monitor.db',
    location: 'default',
    retention: '30d',
    /** Each probe starts up to this share of its interval after its slot, so targets are not hit in lockstep. */
    jitter: 0.1,
    every: '60s',
    inputTokens: 100,
    outputTokens: 100,
    timeout: '60s',
    scrapeEvery: '15s',
    sloObjective: 0.99,
    sloWindow: '28d',
    /** "Probe failing" fires when k of the last n probes of a target failed. */
    failing: { k: 3, n: 5 },
    /** Burn-rate alerts need at least this many probes in their long window. */
    minProbes: 10,
  },
} as const;

/** "10s", "2m": a default duration in the form the CLI accepts, for help texts. */
export function formatDefaultMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}
