import type { Clock } from '../measure/clock.js';
import type { RequestRecord } from '../measure/record.js';
import type { RequestSpec } from '../workload/spec.js';

export type ApiKind = 'chat' | 'completions';

export interface Timeouts {
  /** TCP/TLS connect. */
  connect_ms: number;
  /** From send to the first token-bearing chunk. */
  ttft_ms: number;
  /** Longest allowed gap between chunks once streaming. */
  idle_ms: number;
  /** Whole request. */
  total_ms: number;
}

export interface ClientConfig {
  /** OpenAI base URL including /v1, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  api: ApiKind;
  model: string;
  /** Sent as Bearer token; never logged or written. */
  apiKey?: string;
  headers: Record<string, string>;
  timeouts: Timeouts;
  /** Sent as stream_options.include_usage (default true). */
  includeUsage: boolean;
  /** Fields that make a server generate exactly max_tokens, if it accepts them (detected). */
  exactOutputFields: { ignore_eos: boolean; min_tokens: boolean };
  /** Extra JSON merged into every request body (e.g. temperature). */
  extraBody?: Record<string, unknown>;
  /** Keep the generated text in the record. */
  saveText: boolean;
  /** Max sockets to the origin (>= peak concurrency). */
  connections: number;
  /**
   * False when the server is known to close each connection after a streamed answer (probed before the run): every
   * request then opens its own, and none has to be sent twice. Default true.
   */
  reuseConnections?: boolean;
}

export interface SendContext {
  index: number;
  warmup: boolean;
  /** Intended send time on the run clock. */
  t_sched: number;
  /** Aborts the request; the record then has error class 'aborted'. */
  signal?: AbortSignal;
}

/** Streams one request and returns its raw record. Never throws for server misbehaviour. */
export interface InferenceClient {
  send(spec: RequestSpec, ctx: SendContext): Promise<RequestRecord>;
  close(): Promise<void>;
}

export type CreateClient = (config: ClientConfig, clock: Clock) => InferenceClient;
