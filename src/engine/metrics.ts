import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics named and labelled like vLLM V1 (vllm/v1/metrics/loggers.py), so scrapers and
 * dashboards built for vLLM read the embedded server unchanged. One registry per server, never the global one.
 */

// vLLM V1 bucket boundaries.
const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0,
  640.0, 2560.0,
];
const ITL_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0,
  7680.0,
];

/** vLLM's 1-2-5 series up to the model's context length, for per-request token-count histograms. */
function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exp = 1; ; exp *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * exp > max) return out;
      out.push(m * exp);
    }
  }
}

export type FinishedReason = 'stop' | 'length' | 'abort';

/** Timings (ms, one monotonic clock) and counts of one finished request. */
export interface FinishedRequestStats {
  finishedReason: FinishedReason;
  promptTokens: number;
  generationTokens: number;
  maxTokens: number;
  arrivalMs: number;
  /** When a slot was assigned; undefined if it never left the queue. */
  scheduledMs?: number;
  firstTokenMs?: number;
  lastTokenMs?: number;
  finishedMs: number;
}

export interface EngineMetrics {
  registry: Registry;
  tokenGenerated(interTokenSeconds: number | undefined): void;
  promptProcessed(tokens: number, ttftSeconds: number): void;
  requestFinished(stats: FinishedRequestStats): void;
}

export interface MetricsSources {
  running(): number;
  waiting(): number;
  /** Used KV (context) cells / total cells, 0-1. */
  kvCacheUsage(): number;
}

/** Creates the server's registry. Gauges are read from `sources` at scrape time so they are never stale. */
export function createEngineMetrics(modelName: string, maxModelLen: number, sources: MetricsSources): EngineMetrics {
  const registry = new Registry();
  const labelNames = ['model_name', 'engine'] as const;
  const labels = { model_name: modelName, engine: '0' };
  const registers = [registry];

  new Gauge({
    name: 'vllm:num_requests_running',
    help: 'Number of requests in model execution batches.',
    labelNames,
    registers,
    collect() {
      this.set(labels, sources.running());
    },
  });
  new Gauge({
    name: 'vllm:num_requests_waiting',
    help: 'Number of requests waiting to be processed.',
    labelNames,
    registers,
    collect() {
      this.set(labels, sources.waiting());
    },
  });
  new Gauge({
    name: 'vllm:kv_cache_usage_perc',
    help: 'KV-cache usage. 1 means 100 percent usage.',
    labelNames,
    registers,
    collect() {
      this.set(labels, sources.kvCacheUsage());
    },
  });
  // No preemption happens here (each request owns a whole sequence), but vLLM dashboards expect the series.
  new Counter({ name: 'vllm:num_preemptions_total', help: 'Cumulative number of preemption from the engine.', labelNames, registers }).inc(labels, 0);

  const promptTokens = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', labelNames, registers });
  const generationTokens = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.', labelNames, registers });
  promptTokens.inc(labels, 0);
  generationTokens.inc(labels, 0);
  const success = new Counter({
    name: 'vllm:request_success_total',
    help: 'Count of successfully processed requests.',
    labelNames: [...labelNames, 'finished_reason'],
    registers,
  });
  for (const reason of ['stop', 'length', 'abort'] as const) success.inc({ ...labels, finished_reason: reason }, 0);

  const histogram = (name: string, help: string, buckets: number[]): Histogram<'model_name' | 'engine'> =>
    new Histogram({ name, help, labelNames, buckets, registers });
  const tokenBuckets = buckets125(maxModelLen);
  const reqPromptTokens = histogram('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', tokenBuckets);
  const reqGenTokens = histogram('vllm:request_generation_tokens', 'Number of generation tokens processed.', tokenBuckets);
  const reqMaxTokens = histogram('vllm:request_params_max_tokens', 'Histogram of the max_tokens request parameter.', tokenBuckets);
  const ttft = histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
  const itl = histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', ITL_BUCKETS);
  const tpot = histogram('vllm:request_time_per_output_token_seconds', 'Histogram of time_per_output_token_seconds per request.', ITL_BUCKETS);
  const e2e = histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', REQUEST_LATENCY_BUCKETS);
  const queue = histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', REQUEST_LATENCY_BUCKETS);
  const inference = histogram('vllm:request_inference_time_seconds', 'Histogram of time spent in RUNNING phase for request.', REQUEST_LATENCY_BUCKETS);
  const prefill = histogram('vllm:request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', REQUEST_LATENCY_BUCKETS);
  const decode = histogram('vllm:request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', REQUEST_LATENCY_BUCKETS);

  return {
    registry,
    tokenGenerated(interTokenSeconds) {
      generationTokens.inc(labels, 1);
      if (interTokenSeconds !== undefined) itl.observe(labels, interTokenSeconds);
    },
    promptProcessed(tokens, ttftSeconds) {
      promptTokens.inc(labels, tokens);
      ttft.observe(labels, ttftSeconds);
    },
    requestFinished(s) {
      success.inc({ ...labels, finished_reason: s.finishedReason }, 1);
      const sec = (ms: number): number => Math.max(0, ms) / 1000;
      e2e.observe(labels, sec(s.finishedMs - s.arrivalMs));
      reqMaxTokens.observe(labels, s.maxTokens);
      if (s.scheduledMs === undefined) return;
      queue.observe(labels, sec(s.scheduledMs - s.arrivalMs));
      reqPromptTokens.observe(labels, s.promptTokens);
      reqGenTokens.observe(labels, s.generationTokens);
      if (s.firstTokenMs === undefined || s.lastTokenMs === undefined) return;
      prefill.observe(labels, sec(s.firstTokenMs - s.scheduledMs));
      decode.observe(labels, sec(s.lastTokenMs - s.firstTokenMs));
      inference.observe(labels, sec(s.lastTokenMs - s.scheduledMs));
      if (s.generationTokens > 1) tpot.observe(labels, sec(s.lastTokenMs - s.firstTokenMs) / (s.generationTokens - 1));
    },
  };
}
