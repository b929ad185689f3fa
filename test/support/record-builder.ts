import type { RequestRecord, TokenChunk } from '../../src/measure/record.js';

export interface RecordSketch extends Partial<Omit<RequestRecord, 'chunks'>> {
  /** Chunk arrival times (ms), or full chunks. Numbers become 1-token-unknown, non-reasoning chunks. */
  chunks?: Array<number | Partial<TokenChunk> & { t: number }>;
}

/**
 * Builds a complete RequestRecord from a sketch with known times: a successful request sent at 0 whose
 * output token count defaults to the chunk count. For tests, examples and fixtures.
 *
 * @example makeRecord({ t_send: 0, chunks: [100, 120, 140], t_end: 150 })
 */
export function makeRecord(sketch: RecordSketch = {}): RequestRecord {
  const chunks: TokenChunk[] = (sketch.chunks ?? []).map((c) =>
    typeof c === 'number' ? { t: c, tokens: null, reasoning: false } : { tokens: null, reasoning: false, ...c },
  );
  const tSend = sketch.t_send ?? 0;
  const last = chunks[chunks.length - 1];
  const ok = sketch.ok ?? true;
  return {
    index: 0,
    warmup: false,
    t_sched: tSend,
    t_headers: chunks[0] ? Math.min(chunks[0].t, tSend + 1) : null,
    t_end: last ? last.t + 1 : tSend + 1,
    ok,
    error: ok ? null : { class: 'unknown', message: 'failed' },
    http_status: ok ? 200 : null,
    finish_reason: ok ? 'stop' : null,
    input_tokens: 10,
    input_tokens_source: 'usage',
    output_tokens: chunks.length,
    output_tokens_source: 'usage',
    requested_output_tokens: null,
    output_chars: 0,
    ...sketch,
    t_send: tSend,
    chunks,
  };
}
