/** Engine-neutral concepts that server metrics are mapped onto. */

export type EngineId = 'vllm' | 'sglang' | 'tgi' | 'llamacpp' | 'triton' | 'trtllm-serve' | 'dcgm';

export interface DetectedEngine {
  id: EngineId;
  /** e.g. 'v0' or 'v1' for vLLM, 'unprefixed' for older trtllm-serve; absent when there is one flavour. */
  variant?: string;
}

/** Point-in-time values; aggregated across series when read (sum or mean, see GAUGE_AGGREGATION). */
export type GaugeConcept =
  | 'requests_running'
  | 'requests_waiting'
  /** KV cache blocks in use, 0-1. */
  | 'kv_cache_usage'
  /** Server-computed prefix cache hit rate, 0-1 (used only when hit/query counters are absent). */
  | 'prefix_cache_hit_rate'
  /** 0-1. */
  | 'gpu_utilization'
  | 'gpu_memory_used_bytes'
  | 'gpu_power_watts';

/**
 * Monotonic counters; the window takes their increase. Prompt tokens come in three: `prompt_tokens` counts every
 * prompt token, cached ones included (vLLM, SGLang, TGI, trtllm-serve); `prompt_tokens_computed` only those the
 * server prefilled (llama.cpp's `prompt_tokens_total`); `prompt_tokens_cached` those served from the prefix cache.
 * The window derives whichever of total and computed the server lacks from the other two.
 */
export type CounterConcept =
  | 'prompt_tokens'
  | 'prompt_tokens_computed'
  | 'prompt_tokens_cached'
  | 'generation_tokens'
  | 'preemptions'
  | 'prefix_cache_queries'
  | 'prefix_cache_hits'
  /** KV-cache blocks reused / missed (TensorRT-LLM counts blocks). */
  | 'prefix_cache_reused_blocks'
  | 'prefix_cache_missed_blocks'
  /** Seconds the server spent on prefill (llama.cpp `prompt_seconds_total`). */
  | 'prefill_seconds'
  | 'gpu_energy_joules';

/** Latency distributions, in seconds. */
export type HistogramConcept = 'ttft' | 'itl' | 'e2e' | 'queue' | 'prefill' | 'decode';

export const GAUGE_CONCEPTS: readonly GaugeConcept[] = [
  'requests_running',
  'requests_waiting',
  'kv_cache_usage',
  'prefix_cache_hit_rate',
  'gpu_utilization',
  'gpu_memory_used_bytes',
  'gpu_power_watts',
];
export const COUNTER_CONCEPTS: readonly CounterConcept[] = [
  'prompt_tokens',
  'prompt_tokens_computed',
  'prompt_tokens_cached',
  'generation_tokens',
  'preemptions',
  'prefix_cache_queries',
  'prefix_cache_hits',
  'prefix_cache_reused_blocks',
  'prefix_cache_missed_blocks',
  'prefill_seconds',
  'gpu_energy_joules',
];
export const HISTOGRAM_CONCEPTS: readonly HistogramConcept[] = ['ttft', 'itl', 'e2e', 'queue', 'prefill', 'decode'];

/** How a gauge combines across series (engines, ranks, GPUs): counts add up, ratios average. */
export const GAUGE_AGGREGATION: Record<GaugeConcept, 'sum' | 'mean'> = {
  requests_running: 'sum',
  requests_waiting: 'sum',
  kv_cache_usage: 'mean',
  prefix_cache_hit_rate: 'mean',
  gpu_utilization: 'mean',
  gpu_memory_used_bytes: 'sum',
  gpu_power_watts: 'sum',
};

/** One series of a histogram (or summary, or sum/count counter pair) at one scrape, in seconds. */
export interface HistogramPoint {
  /** Cumulative bucket counts by upper bound (+Infinity included); null for summaries and sum/count pairs. */
  buckets: { le: number; count: number }[] | null;
  sum: number;
  count: number;
  /** Summary quantiles as the server computed them (over its own sliding window), if any. */
  quantiles?: { q: number; value: number }[];
}

/**
 * Concept values of one scrape. Counters and histograms stay per series (key = sample name + labels) so the
 * window can handle a reset of one engine; gauges are already aggregated.
 */
export interface ConceptValues {
  gauges: Partial<Record<GaugeConcept, number>>;
  counters: Partial<Record<CounterConcept, Record<string, number>>>;
  /** Finished requests by reason, per series. */
  finish_reasons: Record<string, Record<string, number>>;
  histograms: Partial<Record<HistogramConcept, Record<string, HistogramPoint>>>;
}

export interface ConceptSnapshot {
  engines: DetectedEngine[];
  /** Everything, summed over models, engines and ranks. */
  total: ConceptValues;
  /** Per model, only when the scrape carries several models; otherwise empty. */
  models: Record<string, ConceptValues>;
}

export function emptyConceptValues(): ConceptValues {
  return { gauges: {}, counters: {}, finish_reasons: {}, histograms: {} };
}
