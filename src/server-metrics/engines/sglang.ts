import { hasPrefix } from './sample-index.js';
import { hist, sel, type EngineProfile } from './profile.js';

/**
 * SGLang with --enable-metrics (python/sglang/srt/metrics/collector.py). Retracted requests are SGLang's
 * preemptions. `prompt_tokens_total` counts every prompt token; `cached_tokens_total` the cache hits, its series
 * created on the first hit (declared and empty before: zero); the hit rate is cached / prompt tokens.
 */
export const sglangProfile: EngineProfile = {
  id: 'sglang',
  modelLabel: 'model_name',
  detect: (index) => (hasPrefix(index, 'sglang:') ? { id: 'sglang' } : undefined),
  gauges: {
    requests_running: sel('sglang:num_running_reqs'),
    requests_waiting: sel('sglang:num_queue_reqs'),
    kv_cache_usage: sel('sglang:token_usage'),
    prefix_cache_hit_rate: sel('sglang:cache_hit_rate'),
  },
  counters: {
    prompt_tokens: sel('sglang:prompt_tokens_total'),
    generation_tokens: sel('sglang:generation_tokens_total'),
    prompt_tokens_cached: sel('sglang:cached_tokens_total'),
    preemptions: sel('sglang:num_retracted_requests_total'),
  },
  finishReasons: [[{ name: 'sglang:num_aborted_requests_total', reason: 'abort' }]],
  histograms: {
    ttft: [hist('sglang:time_to_first_token_seconds')],
    itl: [hist('sglang:inter_token_latency_seconds'), hist('sglang:time_per_output_token_seconds')],
    e2e: [hist('sglang:e2e_request_latency_seconds')],
    queue: [hist('sglang:queue_time_seconds')],
  },
};
