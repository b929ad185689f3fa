import { hasPrefix } from './sample-index.js';
import { hist, sel, type EngineProfile } from './profile.js';

/**
 * vLLM V1 and V0 (vllm/v1/metrics/loggers.py, PrometheusStatLogger). Renamed metrics list the new name first:
 * kv_cache_usage_perc <- gpu_cache_usage_perc, prefix_cache_* <- gpu_prefix_cache_*,
 * inter_token_latency_seconds <- time_per_output_token_seconds, request_queue_time_seconds <- time_in_queue_requests (V0).
 * `prompt_tokens_total` counts every prompt token, cache hits included. Cached tokens: `prompt_tokens_cached_total`
 * (local and external KV, newer V1), else the prefix-cache hits (tokens; a preempted request looked up again
 * counts again).
 */
export const vllmProfile: EngineProfile = {
  id: 'vllm',
  modelLabel: 'model_name',
  detect(index) {
    if (!hasPrefix(index, 'vllm:')) return undefined;
    const v0 =
      index.has('vllm:num_requests_swapped') ||
      index.has('vllm:cpu_cache_usage_perc') ||
      index.has('vllm:avg_generation_throughput_toks_per_s');
    return { id: 'vllm', variant: v0 ? 'v0' : 'v1' };
  },
  gauges: {
    requests_running: sel('vllm:num_requests_running'),
    requests_waiting: sel('vllm:num_requests_waiting'),
    kv_cache_usage: sel('vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'),
    prefix_cache_hit_rate: sel('vllm:gpu_prefix_cache_hit_rate'),
  },
  counters: {
    prompt_tokens: sel('vllm:prompt_tokens_total'),
    prompt_tokens_cached: sel('vllm:prompt_tokens_cached_total', 'vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total'),
    generation_tokens: sel('vllm:generation_tokens_total'),
    preemptions: sel('vllm:num_preemptions_total'),
    prefix_cache_queries: sel('vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total'),
    prefix_cache_hits: sel('vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total'),
  },
  finishReasons: [[{ name: 'vllm:request_success_total', label: 'finished_reason' }]],
  histograms: {
    ttft: [hist('vllm:time_to_first_token_seconds')],
    itl: [hist('vllm:inter_token_latency_seconds'), hist('vllm:time_per_output_token_seconds')],
    e2e: [hist('vllm:e2e_request_latency_seconds')],
    queue: [hist('vllm:request_queue_time_seconds'), hist('vllm:time_in_queue_requests')],
    prefill: [hist('vllm:request_prefill_time_seconds')],
    decode: [hist('vllm:request_decode_time_seconds')],
  },
};
