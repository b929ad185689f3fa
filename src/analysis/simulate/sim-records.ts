import type { RequestRecord } from '../../measure/record.js';
import type { SimOutcome } from './engine-sim.js';

/**
 * Simulated outcomes as request records, one token per chunk with the server's counts, so the predicted summary
 * comes from the same functions as a measured one (stats/summary.ts) and has the same shape.
 */
export function simRecords(outcomes: readonly SimOutcome[]): RequestRecord[] {
  return outcomes.map((o) => ({
    index: o.request.index,
    warmup: false,
    t_sched: o.request.t_arrival,
    t_send: o.request.t_arrival,
    t_headers: o.t_admitted,
    t_end: o.t_end,
    chunks: o.token_times.map((t) => ({ t, tokens: 1, reasoning: false })),
    ok: true,
    error: null,
    http_status: 200,
    finish_reason: 'length',
    input_tokens: o.request.input_tokens,
    input_tokens_source: 'usage',
    output_tokens: o.token_times.length,
    output_tokens_source: 'usage',
    requested_output_tokens: o.request.output_tokens,
    requested_input_tokens: o.request.input_tokens,
    output_chars: 0,
  }));
}
