import { hasPrefix } from './sample-index.js';
import { hist, sel, type EngineProfile } from './profile.js';

/**
 * Hugging Face TGI (router/src). No model label and no `_total`; durations are summaries unless buckets were
 * configured. No TTFT metric and no token counters: tokens come from the length histograms' `_sum`.
 * Its per-token figure (mean_time_per_token) includes prefill, so it maps to ITL only approximately.
 */
export const tgiProfile: EngineProfile = {
  id: 'tgi',
  detect: (index) =>
    index.has('tgi_request_count') || index.has('tgi_queue_size') || hasPrefix(index, 'tgi_request_')
      ? { id: 'tgi' }
      : undefined,
  gauges: {
    requests_running: sel('tgi_batch_current_size'),
    requests_waiting: sel('tgi_queue_size'),
  },
  counters: {
    prompt_tokens: sel('tgi_request_input_length_sum'),
    generation_tokens: sel('tgi_request_generated_tokens_sum'),
  },
  finishReasons: [
    [
      { name: 'tgi_request_success', reason: 'success' },
      { name: 'tgi_request_failure', label: 'err', prefix: 'error:' },
    ],
  ],
  histograms: {
    itl: [hist('tgi_request_mean_time_per_token_duration')],
    e2e: [hist('tgi_request_duration')],
    queue: [hist('tgi_request_queue_duration')],
  },
};
