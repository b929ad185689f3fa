import type { RunSummary } from '../stats/summary.js';
import { roofline, runEfficiency, type RooflineInput, type RunEfficiency } from './roofline.js';

/** A run's operating points against its GPU's roofs, for the report's roofline chart. */
export interface RooflineView {
  model: string;
  gpu: string;
  /** Memory roof: TB/s (so TFLOP/s = intensity x this). */
  bandwidth_tbs: number;
  /** Compute roof, TFLOP/s. */
  peak_tflops: number;
  /** The two phases as (arithmetic intensity in FLOP/byte, achieved TFLOP/s). */
  points: Array<{ phase: 'decode' | 'prefill'; label: string; intensity: number; tflops: number }>;
  efficiency: RunEfficiency;
}

/**
 * Where the run sits under the roofs: decode at its batch (FLOPs of a step over the bytes it must move; achieved over
 * TPOT p50) and prefill (the prompt's FLOPs over the weights read once; achieved over TTFT p50). Null when the run
 * has no TPOT, TTFT or token counts.
 */
export function rooflineView(base: Omit<RooflineInput, 'batch' | 'promptTokens' | 'context'>, summary: RunSummary, batchMean: number | null): RooflineView | null {
  const s = summary;
  const batch = batchMean ?? s.throughput.concurrency.mean;
  const prompt = s.tokens.mean_input_per_request;
  if (batch === null || s.tpot_ms.p50 === null || s.ttft_ms.p50 === null || prompt == null) return null;
  const efficiency = runEfficiency(base, { batch, promptTokens: prompt, outputTokens: s.tokens.mean_output_per_request ?? 0, tpotMs: s.tpot_ms.p50, ttftMs: s.ttft_ms.p50 });
  const r = roofline({ ...base, batch: efficiency.batch, promptTokens: efficiency.prompt_tokens, context: efficiency.context });
  const stepFlops = efficiency.batch * r.flops_per_decode_token;
  const promptFlops = efficiency.prompt_tokens * r.flops_per_prefill_token;
  return {
    model: r.model,
    gpu: r.gpu,
    bandwidth_tbs: base.gpu.bandwidth_tbs * base.tp,
    peak_tflops: (base.gpu.tflops[base.dtype] ?? base.gpu.tflops.bf16!) * base.tp,
    points: [
      { phase: 'decode', label: `decode, batch ${efficiency.batch} (MBU ${(efficiency.mbu * 100).toFixed(1)}%)`, intensity: stepFlops / r.bytes_per_decode_step, tflops: stepFlops / (s.tpot_ms.p50 / 1000) / 1e12 },
      { phase: 'prefill', label: `prefill, ${efficiency.prompt_tokens} tokens (MFU ${(efficiency.mfu * 100).toFixed(1)}%)`, intensity: promptFlops / r.weight_bytes, tflops: promptFlops / (s.ttft_ms.p50 / 1000) / 1e12 },
    ],
    efficiency,
  };
}
