import { roofline, type RooflineInput } from '../roofline.js';
import type { CostModel } from './cost-model.js';

/**
 * A best-case cost model from the roofline (no measured run): the decode step of batches 1 and 2 at the context
 * gives the fixed and per-sequence parts, the prefill bound per prompt token the prefill cost, and the memory left
 * for the KV cache its capacity. Real engines reach a fraction of these bounds; calibrate on a run when one exists.
 */
export function rooflineCostModel(base: Omit<RooflineInput, 'batch'>, maxSeqs: number | null): CostModel {
  const one = roofline({ ...base, batch: 1 });
  const two = roofline({ ...base, batch: 2 });
  const perSeq = Math.max(0, two.tpot_min_ms - one.tpot_min_ms);
  const kvTokens = Math.max(0, Math.floor(one.max_batch_in_memory * base.context));
  return {
    decode_base_ms: Math.max(0, one.tpot_min_ms - perSeq),
    decode_per_seq_ms: perSeq,
    prefill_base_ms: Math.max(0, one.tpot_min_ms - perSeq),
    prefill_per_seq_ms: perSeq,
    prefill_per_token_ms: base.promptTokens > 0 ? one.ttft_min_ms / base.promptTokens : 0,
    max_seqs: maxSeqs ?? Math.max(1, one.max_batch_in_memory),
    kv_capacity_tokens: kvTokens > 0 ? kvTokens : null,
    prefill_chunk_tokens: null,
    fixed_while_queued: true,
    source: `roofline bounds of ${one.model} on ${one.gpu}${base.tp > 1 ? ` x${base.tp}` : ''} (best case)`,
  };
}
