import { hasPrefix } from './sample-index.js';
import { sel, type EngineProfile } from './profile.js';

/**
 * llama.cpp server with --metrics (tools/server): no labels, prefix `llamacpp:`. `prompt_tokens_total` counts
 * only the prompt tokens the server computed: a prompt-cache hit is not in it. Newer builds count the reused
 * ones in `prompt_tokens_cached_total`, so the window adds them back to compare with the client; older builds
 * cannot say. `prompt_seconds_total` is the time spent on prefill. Late-2025 builds dropped KV-cache usage
 * (older ones had kv_cache_usage_ratio). Inter-token latency is only a mean:
 * tokens_predicted_seconds_total / tokens_predicted_total.
 */
export const llamacppProfile: EngineProfile = {
  id: 'llamacpp',
  detect: (index) => (hasPrefix(index, 'llamacpp:') ? { id: 'llamacpp' } : undefined),
  gauges: {
    requests_running: sel('llamacpp:requests_processing'),
    requests_waiting: sel('llamacpp:requests_deferred'),
    kv_cache_usage: sel('llamacpp:kv_cache_usage_ratio'),
  },
  counters: {
    prompt_tokens_computed: sel('llamacpp:prompt_tokens_total'),
    prompt_tokens_cached: sel('llamacpp:prompt_tokens_cached_total'),
    generation_tokens: sel('llamacpp:tokens_predicted_total'),
    prefill_seconds: sel('llamacpp:prompt_seconds_total'),
  },
  histograms: {
    itl: [{ kind: 'pair', sum: 'llamacpp:tokens_predicted_seconds_total', count: 'llamacpp:tokens_predicted_total' }],
  },
};
