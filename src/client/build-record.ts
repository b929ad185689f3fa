import type { OutputTokenSource, RequestRecord } from '../measure/record.js';
import type { RequestSpec } from '../workload/spec.js';
import { countTokens } from '../text/tokenizer.js';
import type { StreamAccumulator } from './stream-accumulator.js';

/** Timing and outcome of one request, gathered while it streamed. */
export type RequestOutcome = Pick<
  RequestRecord,
  'index' | 'warmup' | 't_sched' | 't_send' | 't_written' | 't_headers' | 't_end' | 'http_status' | 'error'
>;

/**
 * Builds the record: output tokens by preference usage > per-chunk usage/logprobs > client tokenizer > chunk count.
 * The tokenizer only runs when the server gave no count, because tokenizing long outputs on the event loop
 * would delay the arrival timestamps of every other stream in flight.
 */
export function buildRecord(
  o: RequestOutcome,
  acc: StreamAccumulator,
  spec: RequestSpec,
  saveText: boolean,
): RequestRecord {
  const counts: Partial<Record<OutputTokenSource, number>> = {};
  const usageOut = acc.finalUsage?.completion_tokens ?? null;
  if (usageOut !== null) counts.usage = usageOut;
  const perChunk = acc.chunkTokenCount();
  if (perChunk !== null) counts.chunk_usage = perChunk;
  const text = acc.outputChars > 0 || saveText ? acc.text() : '';
  if (usageOut === null && perChunk === null && text.length > 0) counts.tokenizer = countTokens(text);
  counts.chunks = acc.chunks.length;

  let source: OutputTokenSource | null = null;
  for (const s of ['usage', 'chunk_usage', 'tokenizer', 'chunks'] as const) {
    if (counts[s] !== undefined) {
      source = s;
      break;
    }
  }
  // A failed request with no chunks has no output count to speak of.
  if (source === 'chunks' && acc.chunks.length === 0 && o.error !== null) source = null;
  const output_tokens = source === null ? null : (counts[source] as number);
  const alt: Partial<Record<OutputTokenSource, number>> = {};
  let altCount = 0;
  for (const [k, v] of Object.entries(counts) as Array<[OutputTokenSource, number]>) {
    if (k !== source) {
      alt[k] = v;
      altCount++;
    }
  }

  const promptUsage = acc.finalUsage?.prompt_tokens ?? null;
  const record: RequestRecord = {
    index: o.index,
    warmup: o.warmup,
    t_sched: o.t_sched,
    t_send: o.t_send,
    ...(o.t_written !== undefined ? { t_written: o.t_written } : {}),
    t_headers: o.t_headers,
    t_end: o.t_end,
    chunks: acc.chunks,
    ok: o.error === null,
    error: o.error,
    http_status: o.http_status,
    finish_reason: acc.finishReason,
    input_tokens: promptUsage ?? spec.input_tokens,
    input_tokens_source: promptUsage !== null ? 'usage' : 'tokenizer',
    output_tokens,
    output_tokens_source: source,
    requested_output_tokens: spec.max_tokens,
    requested_input_tokens: spec.input_tokens,
    output_chars: acc.outputChars,
  };
  if (source !== null && altCount > 0) record.output_tokens_alt = alt;
  if (text.length > 0) record.output_words = countWords(text);
  if (acc.finalUsage?.cached_tokens !== undefined) record.cached_input_tokens = acc.finalUsage.cached_tokens;
  const n1 = firstChunkTokens(acc, output_tokens, text);
  if (n1) record.first_chunk_tokens = n1;
  // Scored answers keep their text: scoring runs after the run, off the timing path (see measure/quality.ts).
  if (saveText || ((spec.references || spec.keep_text) && o.error === null)) record.output_text = text;
  return record;
}

/**
 * n1 for TPOT when chunks carry no counts of their own: servers that stream several tokens per chunk (stream
 * intervals, speculative decoding) would otherwise have their first chunk taken as one token, which understates
 * TPOT (18.1 ms for a server decoding at 20 ms with 4 tokens per chunk).
 */
function firstChunkTokens(acc: StreamAccumulator, n: number | null, text: string): RequestRecord['first_chunk_tokens'] | undefined {
  const chunks = acc.chunks;
  if (n === null || chunks.length < 2 || chunks[0]!.tokens !== null) return undefined;
  if (n === chunks.length) return { count: 1, method: 'one_per_chunk' };
  const whole = countTokens(text || acc.text());
  if (whole === 0) return undefined;
  const share = countTokens(acc.firstChunkText()) / whole;
  const count = Math.min(Math.max(1, Math.round(n * share)), Math.max(1, n - (chunks.length - 1)));
  return { count, method: 'text_share' };
}

/** Runs of non-space characters: a tokenizer-free length that compares across models. */
function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}
