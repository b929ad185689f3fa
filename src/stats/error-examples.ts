import type { ErrorClass, RequestRecord } from '../measure/record.js';

/** Longest example message kept per error class: enough for a server's explanation, short enough for a summary. */
const MAX_EXAMPLE_CHARS = 300;

/**
 * The first failed request's message for each error class (in send order), so a summary can say why requests
 * failed (e.g. the server's "maximum context length is 2048 tokens") and not only how many.
 *
 * @example errorExamples(records) // { http_4xx: "HTTP 400: This model's maximum context length is 2048 tokens..." }
 */
export function errorExamples(failed: readonly RequestRecord[]): Partial<Record<ErrorClass, string>> {
  const out: Partial<Record<ErrorClass, string>> = {};
  const firstSend: Partial<Record<ErrorClass, number>> = {};
  for (const r of failed) {
    const cls = r.error?.class ?? 'unknown';
    const message = r.error?.message;
    if (!message) continue;
    const seen = firstSend[cls];
    if (seen !== undefined && seen <= r.t_send) continue;
    firstSend[cls] = r.t_send;
    out[cls] = message.length > MAX_EXAMPLE_CHARS ? `${message.slice(0, MAX_EXAMPLE_CHARS - 3)}...` : message;
  }
  return out;
}
