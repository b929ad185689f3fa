import type { DetectedEngine } from './engines/concepts.js';
import type { GaugeStats } from './series-stats.js';

/** A server-side latency over the window, in milliseconds. Quantiles are null when no buckets were exposed. */
export interface LatencyStats {
  /** Observations in the window (delta of `_count`). */
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /**
   * `buckets`: PromQL histogram_quantile over the window's bucket deltas. `server_summary`: the server's own
   * summary quantiles at the last scrape (its sliding window, not ours). `none`: mean only.
   */
  quantiles_from: 'buckets' | 'server_summary' | 'none';
}

/** Everything that can be split per model. */
export interface ServerConceptSummary {
  tokens: { prompt: number | null; generation: number | null };
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
  /** 0-1: hits/queries deltas when the server counts them, else the mean of its own hit-rate gauge. */
  prefix_cache_hit_rate: number | null;
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
