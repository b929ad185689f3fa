import type { DetectedEngine } from './engines/concepts.js';
import type { GaugeStats } from './series-stats.js';

/**
 * How far a server's histogram buckets support one quantile. PromQL interpolates linearly inside the bucket
 * holding the quantile's rank, so its value is only as good as that bucket is narrow.
 */
export interface QuantileSupport {
  /**
   * `resolved`: the rank falls in a finite bucket with a real lower edge, at most RESOLVED_BUCKET_RATIO times
   * its lower edge wide: the interpolated value stands. `bounded`: only the bucket is known: the first bucket
   * (its lower edge 0 is PromQL's assumption, e.g. every queue time under 300 ms gives "p50 150"), the +Inf
   * bucket (PromQL answers the highest finite bound), or a wider bucket.
   */
  status: 'resolved' | 'bounded';
  /** The bucket holding the rank, ms: 0 for the first bucket. */
  lower_ms: number;
  /** Its upper bound, ms; null for the +Inf bucket. */
  upper_ms: number | null;
  bucket: 'first' | 'inner' | 'overflow';
}

/** A server-side latency over the window, in milliseconds. Quantiles are null when no buckets were exposed. */
export interface LatencyStats {
  /** Observations in the window (delta of `_count`). */
  count: number;
  mean: number | null;
  /** PromQL-equivalent values (histogram_quantile over the window's bucket deltas) even where only bounded. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /**
   * `buckets`: PromQL histogram_quantile over the window's bucket deltas. `server_summary`: the server's own
   * summary quantiles at the last scrape (its sliding window, not ours). `none`: mean only.
   */
  quantiles_from: 'buckets' | 'server_summary' | 'none';
  /** Per quantile, whether the buckets resolve it or only bound it; null unless quantiles_from is `buckets`. */
  quantile_support: { p50: QuantileSupport | null; p90: QuantileSupport | null; p99: QuantileSupport | null } | null;
}

/** Everything that can be split per model. */
export interface ServerConceptSummary {
  tokens: {
    /**
     * Prompt tokens the server took in, prefix-cache hits included, so they compare with the client's count.
     * Null when the server cannot say (a llama.cpp build that counts only the tokens it computed, without
     * `prompt_tokens_cached_total`).
     */
    prompt: number | null;
    generation: number | null;
    /**
     * Prompt tokens served from the server's prefix (prompt) cache in the window; 0 when it reports none; null when
     * the engine does not count them in tokens.
     */
    prompt_cached: number | null;
    /** Prompt tokens the server computed (prefilled): its own count, or prompt - prompt_cached. */
    prompt_computed: number | null;
  };
  /** Finished requests in the window by reason (`stop`, `length`, `abort`, `error:<kind>` ...). */
  finish_reasons: Record<string, number>;
  preemptions: number | null;
  kv_cache_usage: GaugeStats | null;
  requests_running: GaugeStats | null;
  requests_waiting: GaugeStats | null;
  ttft_ms: LatencyStats | null;
  itl_ms: LatencyStats | null;
  e2e_ms: LatencyStats | null;
  queue_ms: LatencyStats | null;
  prefill_ms: LatencyStats | null;
  decode_ms: LatencyStats | null;
  /**
   * 0-1 over the window: prefix-cache hits / queries (vLLM, tokens); else cached / prompt tokens (SGLang,
   * llama.cpp, trtllm-serve); else reused / (reused + missed) KV blocks (TensorRT-LLM); else the mean of the
   * server's own hit-rate gauge.
   */
  prefix_cache_hit_rate: number | null;
  /** KV-cache blocks reused in the window (TensorRT-LLM counts blocks, not tokens); null when not reported. */
  prefix_cache_reused_blocks: number | null;
  /** Prompt tokens the server computed per second of its own prefill time (llama.cpp `prompt_seconds_total`). */
  prefill_tokens_per_s: number | null;
}

export interface ServerSummary extends ServerConceptSummary {
  /** Engine ids found, e.g. ['vllm', 'dcgm']. */
  engines: string[];
  engine_details: DetectedEngine[];
  window: { start_ms: number; end_ms: number };
  gpu: {
    /** 0-1, mean over GPUs. */
    utilization: GaugeStats | null;
    /** Summed over GPUs. */
    memory_used_bytes: GaugeStats | null;
    /** Summed over GPUs. */
    power_watts: GaugeStats | null;
    /** Energy used in the window. */
    energy_joules: number | null;
  };
  /** Per concept [t_ms, value] on the run clock: gauges as scraped, token counters as per-second rates. */
  series: Record<string, [number, number][]>;
  scrapes: {
    ok: number;
    failed: number;
    duration_ms: { p50: number | null; max: number | null };
    parse_ms: { p50: number | null; max: number | null };
  };
  /** Present only when the servers expose several models. */
  by_model?: Record<string, ServerConceptSummary>;
}
