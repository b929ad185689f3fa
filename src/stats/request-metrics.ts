/**
 * Per-request metrics, each a pure function of the raw RequestRecord (times in ms on the run clock).
 * Definitions follow the metric contract (docs/results-schema.md). A metric that is not defined for
 * a record (no chunks, too few tokens) is null, never 0.
 */
import type { OutputTokenSource, RequestRecord } from '../measure/record.js';

/** TTFT = t(first token-bearing chunk) - t_send. Reasoning chunks count. */
export function ttftMs(r: RequestRecord): number | null {
  const first = r.chunks[0];
  return first ? first.t - r.t_send : null;
}

/** TTFO = t(first non-reasoning token-bearing chunk) - t_send; null when the answer was only reasoning. */
export function ttfoMs(r: RequestRecord): number | null {
  const first = r.chunks.find((c) => !c.reasoning);
  return first ? first.t - r.t_send : null;
}

/** E2E latency = t(last token-bearing chunk) - t_send. */
export function e2eMs(r: RequestRecord): number | null {
  const last = r.chunks[r.chunks.length - 1];
  return last ? last.t - r.t_send : null;
}

/** Time to stream close = t_end - t_send (reported apart from E2E: trailing usage/[DONE] can lag). */
export function streamCloseMs(r: RequestRecord): number {
  return r.t_end - r.t_send;
}

/** Schedule lag = t_send - t_sched: how late the client sent it compared with the load profile's intent. */
export function scheduleLagMs(r: RequestRecord): number {
  return r.t_send - r.t_sched;
}

/**
 * Output token count N and its source: the record's count (usage, per-chunk usage or tokenizer as the
 * client found), else the number of token-bearing chunks (source 'chunks').
 */
export function outputTokens(r: RequestRecord): { count: number; source: OutputTokenSource } {
  if (r.output_tokens !== null && Number.isFinite(r.output_tokens)) {
    return { count: r.output_tokens, source: r.output_tokens_source ?? 'chunks' };
  }
  return { count: r.chunks.length, source: 'chunks' };
}

/**
 * TPOT = (t_last - t_first) / (N - n1), n1 = tokens in the first chunk: the server's per-chunk count, else
 * the client's estimate (`first_chunk_tokens`), else 1.
 * Null ("n/a") when N - n1 < 1: a single-chunk answer has no decode interval to divide.
 * vLLM's TPOT; AIPerf, GenAI-Perf and GuideLLM call it "ITL".
 */
export function tpotMs(r: RequestRecord): number | null {
  const first = r.chunks[0];
  const last = r.chunks[r.chunks.length - 1];
  if (!first || !last) return null;
  const n1 = first.tokens ?? r.first_chunk_tokens?.count ?? 1;
  const rest = outputTokens(r).count - n1;
  if (rest < 1) return null;
  return (last.t - first.t) / rest;
}

/** ITL samples: the gap between each pair of consecutive token-bearing chunks (one sample per gap). */
export function itlMs(r: RequestRecord): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < r.chunks.length; i++) {
    gaps.push(r.chunks[i]!.t - r.chunks[i - 1]!.t);
  }
  return gaps;
}

/** ITL per token: gap / tokens in the later chunk, for gaps whose later chunk's token count is known (> 0). */
export function itlPerTokenMs(r: RequestRecord): number[] {
  const out: number[] = [];
  for (let i = 1; i < r.chunks.length; i++) {
    const later = r.chunks[i]!;
    if (later.tokens !== null && later.tokens > 0) {
      out.push((later.t - r.chunks[i - 1]!.t) / later.tokens);
    }
  }
  return out;
}

/**
 * Time to second token: the first chunk's time when it is known to carry >= 2 tokens, else the second
 * chunk's time (a chunk of unknown size counts as one token), minus t_send. Null with one 1-token chunk.
 */
export function timeToSecondTokenMs(r: RequestRecord): number | null {
  const first = r.chunks[0];
  if (!first) return null;
  if (first.tokens !== null && first.tokens >= 2) return first.t - r.t_send;
  const second = r.chunks[1];
  return second ? second.t - r.t_send : null;
}

/** Longest stall: the largest gap between consecutive chunks (max ITL); null with fewer than 2 chunks. */
export function maxStallMs(r: RequestRecord): number | null {
  if (r.chunks.length < 2) return null;
  let max = -Infinity;
  for (let i = 1; i < r.chunks.length; i++) {
    max = Math.max(max, r.chunks[i]!.t - r.chunks[i - 1]!.t);
  }
  return max;
}

/** E2E per output token = (t_last - t_send) / N: GuideLLM's "TPOT", a different metric from our TPOT. */
export function e2ePerOutputTokenMs(r: RequestRecord): number | null {
  const e2e = e2eMs(r);
  const n = outputTokens(r).count;
  return e2e === null || n <= 0 ? null : e2e / n;
}

export interface RequestMetrics {
  ttft_ms: number | null;
  ttfo_ms: number | null;
  e2e_ms: number | null;
  stream_close_ms: number;
  tpot_ms: number | null;
  itl_ms: number[];
  itl_per_token_ms: number[];
  time_to_second_token_ms: number | null;
  max_stall_ms: number | null;
  schedule_lag_ms: number;
  e2e_per_output_token_ms: number | null;
  output_tokens: number;
  output_tokens_source: OutputTokenSource;
}

/** All per-request metrics of one record at once (for per-request export and aggregation). */
export function requestMetrics(r: RequestRecord): RequestMetrics {
  const out = outputTokens(r);
  return {
    ttft_ms: ttftMs(r),
    ttfo_ms: ttfoMs(r),
    e2e_ms: e2eMs(r),
    stream_close_ms: streamCloseMs(r),
    tpot_ms: tpotMs(r),
    itl_ms: itlMs(r),
    itl_per_token_ms: itlPerTokenMs(r),
    time_to_second_token_ms: timeToSecondTokenMs(r),
    max_stall_ms: maxStallMs(r),
    schedule_lag_ms: scheduleLagMs(r),
    e2e_per_output_token_ms: e2ePerOutputTokenMs(r),
    output_tokens: out.count,
    output_tokens_source: out.source,
  };
}
