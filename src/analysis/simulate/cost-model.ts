/**
 * What one simulated continuous-batching server costs, in milliseconds. Decode: every running sequence gets its next
 * token `decode_base_ms + decode_per_seq_ms x n` after the previous one, n the sequences decoding at the time (the
 * cost of a batched step at batch n). Prefill: a prompt of P tokens admitted while n sequences decode gives its first
 * token after `prefill_base_ms + prefill_per_seq_ms x n + prefill_per_token_ms x P`; the `prefill_per_token_ms x P`
 * part is compute the engine shares with decoding, so every running sequence waits that long too (mixed batches, as
 * llama.cpp and vLLM run them); the rest (front end, tokenization, the step it joins, contention with the others)
 * delays only the request itself.
 */
export interface CostModel {
  decode_base_ms: number;
  decode_per_seq_ms: number;
  prefill_base_ms: number;
  prefill_per_seq_ms: number;
  prefill_per_token_ms: number;
  /** Sequences run at once (vLLM max-num-seqs, llama.cpp slots); null = unlimited. */
  max_seqs: number | null;
  /** KV-cache capacity in tokens (prompt + generated of every running sequence); null = unlimited. */
  kv_capacity_tokens: number | null;
  /** Chunked prefill: at most this many prompt tokens per step, so a long prompt stalls the others in slices. */
  prefill_chunk_tokens: number | null;
  /**
   * The fixed part of the first-token time runs from the request's arrival, overlapping any wait for a place (the
   * front end tokenizes as requests arrive, as vLLM and llama.cpp do); false: it starts once the request is admitted.
   */
  fixed_while_queued: boolean;
  /** Where the figures came from, for the output. */
  source: string;
}

/** Time of one decode step with `n` sequences decoding. */
export function decodeStepMs(m: CostModel, n: number): number {
  return m.decode_base_ms + m.decode_per_seq_ms * Math.max(1, n);
}

/** Describes a cost model in one line. */
export function describeCostModel(m: CostModel): string {
  const f = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(3) : x.toPrecision(3));
  const parts = [
    `decode ${f(m.decode_base_ms)} + ${f(m.decode_per_seq_ms)} x batch ms per step`,
    `first token ${f(m.prefill_base_ms)} + ${f(m.prefill_per_seq_ms)} x batch ms + ${f(m.prefill_per_token_ms * 1000)} ms per 1k prompt tokens`,
    `max ${m.max_seqs ?? 'unlimited'} sequences`,
  ];
  if (m.kv_capacity_tokens !== null) parts.push(`KV cache ${m.kv_capacity_tokens} tokens`);
  if (m.prefill_chunk_tokens !== null) parts.push(`chunked prefill ${m.prefill_chunk_tokens} tokens`);
  if (!m.fixed_while_queued) parts.push('fixed first-token part after admission');
  return `${parts.join('; ')} (${m.source})`;
}
