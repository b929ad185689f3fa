import { hasPrefix } from './sample-index.js';
import { hist, sel, type EngineProfile } from './profile.js';

function trtllmServe(prefix: string): EngineProfile {
  const p = (name: string) => prefix + name;
  return {
    id: 'trtllm-serve',
    modelLabel: 'model_name',
    detect(index) {
      if (prefix) return hasPrefix(index, prefix) ? { id: 'trtllm-serve' } : undefined;
      // Older releases had no prefix; require names only trtllm-serve uses together.
      const found =
        index.has('kv_cache_utilization') ||
        (index.has('time_to_first_token_seconds_bucket') && index.has('num_requests_running'));
      return found ? { id: 'trtllm-serve', variant: 'unprefixed' } : undefined;
    },
    gauges: {
      requests_running: sel(p('num_requests_running')),
      requests_waiting: sel(p('num_requests_waiting')),
      kv_cache_usage: sel(p('kv_cache_utilization')),
      prefix_cache_hit_rate: sel(p('kv_cache_hit_rate')),
    },
    counters: {
      prompt_tokens: sel(p('prompt_tokens_total')),
      prompt_tokens_cached: sel(p('prompt_cached_tokens_total')),
      generation_tokens: sel(p('generation_tokens_total')),
      prefix_cache_reused_blocks: sel(p('kv_cache_reused_blocks_total')),
      prefix_cache_missed_blocks: sel(p('kv_cache_missed_blocks_total')),
    },
    finishReasons: [[{ name: p('request_success_total'), label: 'finished_reason' }]],
    histograms: {
      ttft: [hist(p('time_to_first_token_seconds'))],
      itl: [hist(p('time_per_output_token_seconds'))],
      e2e: [hist(p('e2e_request_latency_seconds'))],
      queue: [hist(p('request_queue_time_seconds'))],
    },
  };
}

/**
 * trtllm-serve (TensorRT-LLM's OpenAI server, tensorrt_llm/metrics/collector.py): vLLM-style names with the
 * `trtllm_` prefix. `prompt_tokens_total` counts every input token; newer releases count cache hits in tokens
 * (`prompt_cached_tokens_total`) and KV blocks reused / missed; older ones only have the hit-rate gauge.
 */
export const trtllmServeProfile = trtllmServe('trtllm_');
/** trtllm-serve releases before the prefix was added. */
export const trtllmServeUnprefixedProfile = trtllmServe('');
