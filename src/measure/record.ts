import type { QualityScores } from './quality.js';
/**
 * The per-request raw record: the source of truth every metric is derived from
 * (see README "Metric definitions"). Times are milliseconds on the run's monotonic clock
 * (performance.now() minus the run's origin), never wall-clock.
 */

/** Classified per-request failure. A bad server never crashes a run; it produces these. */
export type ErrorClass =
  | 'http_4xx' // non-200 answer other than 429
  | 'http_429' // rate limited
  | 'http_5xx'
  | 'timeout_connect' // no connection within the connect timeout
  | 'timeout_ttft' // connected, but no token-bearing chunk within the first-token timeout
  | 'timeout_idle' // gap between chunks exceeded the idle timeout
  | 'timeout_total' // the whole request exceeded the total timeout
  | 'connection_refused'
  | 'connection_reset' // socket closed or reset before the stream finished
  | 'protocol_error' // malformed SSE / JSON, or stream ended without [DONE] or finish_reason
  | 'server_error_event' // an SSE event carrying an `error` object
  | 'empty_response' // stream finished cleanly but carried no token-bearing chunk
  | 'aborted' // cancelled by the client (Ctrl-C, run deadline)
  | 'unknown';

export interface RequestError {
  class: ErrorClass;
  /** Human-readable detail; never contains the API key. */
  message: string;
  /** HTTP status when the server answered with one. */
  status?: number;
}

/** Where a token count came from, in order of preference. */
export type OutputTokenSource = 'usage' | 'chunk_usage' | 'tokenizer' | 'chunks';
export type InputTokenSource = 'usage' | 'tokenizer' | 'dataset';

/** One token-bearing chunk (non-empty content, reasoning, tool_calls or text). */
export interface TokenChunk {
  /** Arrival time, ms on the run clock. */
  t: number;
  /** Tokens in this chunk when the server told us (per-chunk usage); null when unknown. */
  tokens: number | null;
  /** True when the chunk carried only reasoning (reasoning_content / reasoning). */
  reasoning: boolean;
}

export interface RequestRecord {
  /** Global schedule index (deterministic for a seed). Warm-up requests have warmup=true. */
  index: number;
  warmup: boolean;
  /** When the load profile wanted it sent. */
  t_sched: number;
  /** When the client started the request (before the connection pool and undici). */
  t_send: number;
  /**
   * When its bytes were handed to the socket: t_written - t_send is the client's own dispatch cost (pool,
   * undici, event loop), its share of TTFT. Absent when the request was never written or in older records.
   */
  t_written?: number;
  /** Response headers received; null if none arrived. */
  t_headers: number | null;
  /** Stream closed (success or failure). */
  t_end: number;
  /** Token-bearing chunks in arrival order. */
  chunks: TokenChunk[];
  ok: boolean;
  error: RequestError | null;
  http_status: number | null;
  finish_reason: string | null;
  input_tokens: number | null;
  input_tokens_source: InputTokenSource | null;
  output_tokens: number | null;
  output_tokens_source: OutputTokenSource | null;
  /** Other sources' counts when more than one was available, e.g. { tokenizer: 97, chunks: 100 }. */
  output_tokens_alt?: Partial<Record<OutputTokenSource, number>>;
  /** Output tokens the workload asked for (max_tokens), if any. */
  requested_output_tokens: number | null;
  /** Prompt length the workload aimed at (client tokens, or the server's when calibrated). Absent in older records. */
  requested_input_tokens?: number;
  /** Characters of generated text (content + reasoning), for sanity checks. */
  output_chars: number;
  /** Prompt tokens the server says it served from its cache (usage.prompt_tokens_details.cached_tokens), when it says. */
  cached_input_tokens?: number;
  /** Whitespace-separated words of the output (for speed comparisons across tokenizers); absent in older records. */
  output_words?: number;
  /**
   * Tokens in the first token-bearing chunk (n1 of TPOT) when the server did not count them per chunk:
   * `one_per_chunk` when the output count equals the chunk count, else `text_share`: N x (client tokens of the
   * first chunk's text / client tokens of the whole text), rounded, at least 1 and leaving every later chunk at
   * least one token. Absent when the server counted per chunk (chunks[0].tokens) or there is one chunk.
   */
  first_chunk_tokens?: { count: number; method: 'one_per_chunk' | 'text_share' };
  /**
   * 1 when the request was sent again because the server closed a reused connection before answering (it was
   * never read, so never reached the model); the timings are the second attempt's. Absent otherwise.
   */
  retries?: number;
  /** Generated text, kept when the run asks for it (--save-text) and for requests scored against references. */
  output_text?: string;
  /** Multi-turn runs: the conversation (its launch index), the turn (0-based), and the client tokens of the history it carried. */
  session?: number;
  turn?: number;
  history_tokens?: number;
  /** Multi-turn runs: the turns this conversation has. */
  session_turns?: number;
  /** Scores against the dataset's reference answers (see measure/quality.ts), for succeeded requests that had some. */
  quality?: QualityScores;
  /**
   * Wall-clock anchor: ms since the Unix epoch of the run clock's zero, so records of other processes, machines
   * and monitor probes line up (wall time of an event = clock_epoch_ms + its t). Absent in records of older runs.
   */
  clock_epoch_ms?: number;
}
