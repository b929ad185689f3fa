import type { RequestRecord } from '../measure/record.js';

/** Relative and absolute gaps between the server's prompt count and the target that are worth a warning. */
const RELATIVE = 0.1;
/** Chat templates add a few tokens to every prompt: a gap within this is not the tokenizer. */
const ABSOLUTE = 16;

/**
 * A plain warning when the server counted prompts very differently from the lengths the workload aimed at
 * (another tokenizer, and no /tokenize to calibrate on); null when they agree or the server gave no counts.
 *
 * @example promptLengthWarning(records) // "the server counted 684 prompt tokens per request on average where the workload aimed at 256 (+167%)..."
 */
export function promptLengthWarning(records: readonly RequestRecord[]): string | null {
  let server = 0;
  let target = 0;
  let n = 0;
  for (const r of records) {
    if (r.warmup || r.input_tokens_source !== 'usage' || r.input_tokens === null || r.requested_input_tokens === undefined) continue;
    server += r.input_tokens;
    target += r.requested_input_tokens;
    n++;
  }
  if (n === 0 || target === 0) return null;
  const a = server / n;
  const b = target / n;
  if (Math.abs(a - b) <= Math.max(RELATIVE * b, ABSOLUTE)) return null;
  const pct = Math.round((100 * (a - b)) / b);
  return (
    `the server counted ${a.toFixed(0)} prompt tokens per request on average where the workload aimed at ${b.toFixed(0)} ` +
    `(${pct > 0 ? '+' : ''}${pct}%): its tokenizer differs from the client's (o200k_base) and it offers no /tokenize to ` +
    'calibrate on, so --input-tokens is in client tokens; server token counts are used for throughput'
  );
}
