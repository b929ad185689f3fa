import type { CostModel } from '../../src/analysis/simulate/cost-model.js';

/** A known engine cost for simulator tests: they simulate runs with it and check what a fit recovers. */
export const KNOWN_COST: CostModel = {
  decode_base_ms: 0.05,
  decode_per_seq_ms: 0.25,
  prefill_base_ms: 0.7,
  prefill_per_seq_ms: 0,
  prefill_per_token_ms: 0.03,
  max_seqs: 4,
  kv_capacity_tokens: null,
  prefill_chunk_tokens: null,
  fixed_while_queued: true,
  source: 'truth',
};
