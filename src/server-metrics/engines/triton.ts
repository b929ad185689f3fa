import { hasPrefix } from './sample-index.js';
import { sel, type EngineProfile, type HistogramSource } from './profile.js';

const ENSEMBLE = { model: 'ensemble' };

/** Mean-only latency from Triton's cumulative microsecond counters, preferring the `ensemble` model. */
function usPair(sum: string): HistogramSource[] {
  const count = 'nv_inference_request_success';
  return [
    { kind: 'pair', sum, count, scale: 1e-6, match: ENSEMBLE },
    { kind: 'pair', sum, count, scale: 1e-6 },
  ];
}

/**
 * NVIDIA Triton, optionally with the TensorRT-LLM backend (port 8002). A TRT-LLM deployment is an ensemble
 * (preprocessing -> tensorrt_llm -> postprocessing) in which every request passes through each model, so
 * request counts and durations come from the `ensemble` model when it exists instead of a sum over models.
 */
export const tritonProfile: EngineProfile = {
  id: 'triton',
  detect(index) {
    const trt = hasPrefix(index, 'nv_trt_llm_');
    if (!trt && !index.has('nv_inference_request_success') && !index.has('nv_gpu_utilization')) return undefined;
    return trt ? { id: 'triton', variant: 'tensorrt_llm' } : { id: 'triton' };
  },
  gauges: {
    requests_running: [{ name: 'nv_trt_llm_request_metrics', match: { request_type: 'active' } }],
    requests_waiting: [
      { name: 'nv_inference_pending_request_count', match: ENSEMBLE },
      { name: 'nv_inference_pending_request_count' },
    ],
    kv_cache_usage: [{ name: 'nv_trt_llm_kv_cache_block_metrics', match: { kv_cache_block_type: 'fraction' } }],
    gpu_utilization: sel('nv_gpu_utilization'),
    gpu_memory_used_bytes: sel('nv_gpu_memory_used_bytes'),
    gpu_power_watts: sel('nv_gpu_power_usage'),
  },
  counters: {
    gpu_energy_joules: sel('nv_energy_consumption'),
    // Typed gauge, but TensorRT-LLM's reused-block count only grows (KvCacheStats.reusedBlocks).
    prefix_cache_reused_blocks: [{ name: 'nv_trt_llm_kv_cache_block_metrics', match: { kv_cache_block_type: 'reused' } }],
  },
  finishReasons: [
    [
      { name: 'nv_inference_request_success', reason: 'success', match: ENSEMBLE },
      { name: 'nv_inference_request_failure', label: 'reason', prefix: 'error:', match: ENSEMBLE },
    ],
    [
      { name: 'nv_inference_request_success', reason: 'success' },
      { name: 'nv_inference_request_failure', label: 'reason', prefix: 'error:' },
    ],
  ],
  histograms: {
    e2e: usPair('nv_inference_request_duration_us'),
    queue: usPair('nv_inference_queue_duration_us'),
  },
};
