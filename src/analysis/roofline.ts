/**
 * Roofline bounds of LLM inference on a GPU: what the hardware allows at best. Decode reads the weights (the experts a
 * batch touches, for MoE) and the KV cache of every sequence each step; prefill is compute. The time of a step is the
 * larger of bytes / bandwidth and FLOPs / compute (ideal tensor parallelism over `tp` GPUs; no overheads), so every
 * figure here is a lower bound on latency and an upper bound on throughput.
 */

export interface ModelShape {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  kv_heads: number;
  head_dim: number;
  intermediate: number;
  vocab: number;
  tied_embeddings: boolean;
  /** MoE: routed experts, experts per token, shared experts, expert FFN width, leading dense layers. */
  experts?: number;
  experts_per_token?: number;
  shared_experts?: number;
  moe_intermediate?: number;
  dense_layers?: number;
  /** Bytes each weight takes as stored (a quantized GGUF file); overrides --dtype's width for the weights. */
  bytes_per_weight?: number;
  /** Multi-head latent attention (DeepSeek): the KV cache holds a compressed latent per token. */
  mla?: { kv_lora_rank: number; q_lora_rank?: number; qk_nope_head_dim: number; qk_rope_head_dim: number; v_head_dim: number };
}

export interface GpuSpec {
  name: string;
  bandwidth_tbs: number;
  memory_gb: number;
  tflops: Record<string, number>;
}

export type Dtype = 'bf16' | 'fp8' | 'int8' | 'int4';
export const DTYPE_BYTES: Record<Dtype, number> = { bf16: 2, fp8: 1, int8: 1, int4: 0.5 };

export interface RooflineInput {
  model: ModelShape;
  gpu: GpuSpec;
  tp: number;
  dtype: Dtype;
  kvDtype: Dtype;
  batch: number;
  promptTokens: number;
  /** Context length of each sequence during decode. */
  context: number;
  /** Share of GPU memory the engine may use (vLLM's default gpu-memory-utilization). */
  memoryUtilization?: number;
}

export interface Roofline {
  model: string;
  gpu: string;
  tp: number;
  dtype: Dtype;
  kv_dtype: Dtype;
  batch: number;
  prompt_tokens: number;
  context: number;
  parameters: { total: number; active: number };
  weight_bytes: number;
  flops_per_prefill_token: number;
  flops_per_decode_token: number;
  kv_bytes_per_token: number;
  bytes_per_decode_step: number;
  /** Batch at which the weights alone turn decode compute-bound (KV reads left out); null beyond 65,536. */
  ridge_batch: number | null;
  ttft_min_ms: number;
  tpot_min_ms: number;
  max_batch_in_memory: number;
  best_case_output_tokens_per_s: number | null;
  /** Which roof binds decode at the batch: memory (bandwidth) or compute. */
  decode_bound: 'memory' | 'compute';
}

interface Counts {
  total: number;
  active: number;
  /** Parameters of one routed expert (all layers' copies counted apart): for MoE weight traffic. */
  expertParams: number;
  moeLayers: number;
}

function attentionParams(m: ModelShape): number {
  if (m.mla) {
    const a = m.mla;
    const qk = a.qk_nope_head_dim + a.qk_rope_head_dim;
    const q = a.q_lora_rank ? m.hidden * a.q_lora_rank + a.q_lora_rank * m.heads * qk : m.hidden * m.heads * qk;
    const kv = m.hidden * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank * m.heads * (a.qk_nope_head_dim + a.v_head_dim);
    return q + kv + m.heads * a.v_head_dim * m.hidden;
  }
  return m.hidden * m.heads * m.head_dim + 2 * m.hidden * m.kv_heads * m.head_dim + m.heads * m.head_dim * m.hidden;
}

export function parameterCounts(m: ModelShape): Counts {
  const attn = attentionParams(m);
  const ffn = (width: number): number => 3 * m.hidden * width;
  const embed = m.vocab * m.hidden * (m.tied_embeddings ? 1 : 2);
  if (!m.experts) {
    const total = m.layers * (attn + ffn(m.intermediate)) + embed;
    return { total, active: total, expertParams: 0, moeLayers: 0 };
  }
  const dense = m.dense_layers ?? 0;
  const moeLayers = m.layers - dense;
  const expert = ffn(m.moe_intermediate ?? m.intermediate);
  const shared = (m.shared_experts ?? 0) * expert;
  const router = m.hidden * m.experts;
  const perMoe = attn + m.experts * expert + shared + router;
  const perMoeActive = attn + (m.experts_per_token ?? 1) * expert + shared + router;
  const denseLayer = attn + ffn(m.intermediate);
  return {
    total: dense * denseLayer + moeLayers * perMoe + embed,
    active: dense * denseLayer + moeLayers * perMoeActive + embed,
    expertParams: expert,
    moeLayers,
  };
}

/** KV-cache bytes per token: K and V for every layer and KV head, or MLA's latent and rotary key. */
export function kvBytesPerToken(m: ModelShape, kvDtype: Dtype): number {
  const b = DTYPE_BYTES[kvDtype];
  if (m.mla) return m.layers * (m.mla.kv_lora_rank + m.mla.qk_rope_head_dim) * b;
  return 2 * m.layers * m.kv_heads * m.head_dim * b;
}

/** Attention FLOPs per token attending over `context` tokens (scores and weighted values). */
function attentionFlops(m: ModelShape, context: number): number {
  if (m.mla) return 2 * m.layers * m.heads * (2 * m.mla.kv_lora_rank + m.mla.qk_rope_head_dim) * context;
  return 4 * m.layers * m.heads * m.head_dim * context;
}

export function roofline(input: RooflineInput): Roofline {
  const { model: m, gpu, tp, dtype, kvDtype, batch, promptTokens, context } = input;
  const counts = parameterCounts(m);
  const wb = m.bytes_per_weight ?? DTYPE_BYTES[dtype];
  const bandwidth = gpu.bandwidth_tbs * 1e12 * tp;
  const flops = (gpu.tflops[dtype] ?? gpu.tflops.bf16!) * 1e12 * tp;
  const kv = kvBytesPerToken(m, kvDtype);
  // The input embedding is a lookup; every other weight is used in a matmul (2 FLOPs per weight per token).
  const matmulParams = counts.active - (m.tied_embeddings ? 0 : m.vocab * m.hidden);
  const flopsDecode = 2 * matmulParams + attentionFlops(m, context);
  const flopsPrefill = 2 * matmulParams + attentionFlops(m, promptTokens / 2);
  // Weights a decode step reads: all but the routed experts, plus the experts a batch of b is expected to touch.
  const weightsRead = (b: number): number => {
    if (!m.experts) return counts.total * wb;
    const k = m.experts_per_token ?? 1;
    const touched = m.experts * (1 - (1 - k / m.experts) ** b);
    const routedAll = counts.moeLayers * m.experts * counts.expertParams;
    return (counts.total - routedAll + counts.moeLayers * touched * counts.expertParams) * wb;
  };
  const stepBytes = (b: number, ctx = context): number => weightsRead(b) + b * ctx * kv;
  const stepMs = (b: number, ctx = context): { ms: number; bound: 'memory' | 'compute' } => {
    const mem = stepBytes(b, ctx) / bandwidth;
    const comp = (b * (2 * matmulParams + attentionFlops(m, ctx))) / flops;
    return { ms: Math.max(mem, comp) * 1000, bound: comp > mem ? 'compute' : 'memory' };
  };
  // The classic ridge: the batch at which reading the weights once costs as long as computing with them (KV reads
  // left out: at long contexts they grow with the batch too, and decode may stay memory-bound at any batch).
  let ridge: number | null = null;
  for (let b = 1; b <= 65_536; b *= 2) {
    if (stepMs(b, 0).bound === 'compute') {
      let lo = Math.max(1, b / 2);
      let hi = b;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (stepMs(mid, 0).bound === 'compute') hi = mid;
        else lo = mid;
      }
      ridge = hi;
      break;
    }
  }
  const usable = (input.memoryUtilization ?? 0.9) * gpu.memory_gb * 1e9 * tp - counts.total * wb;
  const maxBatch = usable > 0 ? Math.floor(usable / (context * kv)) : 0;
  const decode = stepMs(batch);
  const prefillMs = Math.max((promptTokens * flopsPrefill) / flops, (counts.total * wb) / bandwidth) * 1000;
  return {
    model: m.name,
    gpu: gpu.name,
    tp,
    dtype,
    kv_dtype: kvDtype,
    batch,
    prompt_tokens: promptTokens,
    context,
    parameters: { total: counts.total, active: counts.active },
    weight_bytes: counts.total * wb,
    flops_per_prefill_token: flopsPrefill,
    flops_per_decode_token: flopsDecode,
    kv_bytes_per_token: kv,
    bytes_per_decode_step: stepBytes(batch),
    ridge_batch: ridge,
    ttft_min_ms: prefillMs,
    tpot_min_ms: decode.ms,
    max_batch_in_memory: maxBatch,
    best_case_output_tokens_per_s: maxBatch > 0 ? (maxBatch / stepMs(maxBatch).ms) * 1000 : null,
    decode_bound: decode.bound,
  };
}

export interface RunEfficiency {
  batch: number;
  prompt_tokens: number;
  context: number;
  tpot_p50_ms: number;
  ttft_p50_ms: number;
  /** Model bandwidth utilisation in decode: bytes a step must move / TPOT / bandwidth (0-1). */
  mbu: number;
  /** Model FLOPs utilisation in prefill: prompt FLOPs / TTFT / compute (0-1; TTFT includes any queueing). */
  mfu: number;
}

/** How close a measured run came to the roofs: MBU from its TPOT, MFU from its TTFT, at its own batch and lengths. */
export function runEfficiency(
  base: Omit<RooflineInput, 'batch' | 'promptTokens' | 'context'>,
  run: { batch: number; promptTokens: number; outputTokens: number; tpotMs: number; ttftMs: number },
): RunEfficiency {
  const batch = Math.max(1, Math.round(run.batch));
  const context = Math.round(run.promptTokens + run.outputTokens / 2);
  const promptTokens = Math.max(1, Math.round(run.promptTokens));
  const r = roofline({ ...base, batch, promptTokens, context });
  const bandwidth = base.gpu.bandwidth_tbs * 1e12 * base.tp;
  const flops = (base.gpu.tflops[base.dtype] ?? base.gpu.tflops.bf16!) * 1e12 * base.tp;
  return {
    batch,
    prompt_tokens: promptTokens,
    context,
    tpot_p50_ms: run.tpotMs,
    ttft_p50_ms: run.ttftMs,
    mbu: r.bytes_per_decode_step / (run.tpotMs / 1000) / bandwidth,
    mfu: (promptTokens * r.flops_per_prefill_token) / (run.ttftMs / 1000) / flops,
  };
}
