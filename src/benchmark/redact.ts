import type { RequestRecord } from '../measure/record.js';

/** Header names whose values are secrets. */
const SECRET_HEADERS = /^(authorization|proxy-authorization|x-api-key|api-key|cookie|x-goog-api-key)$/i;
/** A bearer credential anywhere in a text (a server may echo the Authorization header it got). */
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi;

/** Replaces secret header values; keeps the names so a reader can see a key was sent. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.test(k) ? '[redacted]' : v;
  return out;
}

/** Every secret a run sends: the API key and the values of secret headers (with and without their scheme). */
export function secretsOf(apiKey: string | undefined, headers: Record<string, string>): string[] {
  const out = new Set<string>();
  if (apiKey) out.add(apiKey);
  for (const [k, v] of Object.entries(headers)) {
    if (!SECRET_HEADERS.test(k) || !v) continue;
    out.add(v);
    const bare = v.replace(/^\s*(Bearer|Basic)\s+/i, '');
    if (bare) out.add(bare);
  }
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/** Removes every occurrence of the secrets, and any bearer credential, from a text (error messages, logs, model output). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  out = out.replace(BEARER, '$1 [redacted]');
  // A message cut to length ("...") may end in the first characters of a secret: drop those too.
  if (out.endsWith('...')) {
    const body = out.slice(0, -3);
    for (const s of secrets) {
      if (!s) continue;
      for (let k = Math.min(s.length - 1, body.length); k >= 4; k--) {
        if (body.endsWith(s.slice(0, k))) return `${body.slice(0, -k)}[redacted]...`;
      }
    }
  }
  return out;
}

/** Scrubs the strings of a record that come from the server (error messages, saved output text), in place. */
export function scrubRecord(record: RequestRecord, secrets: readonly string[]): RequestRecord {
  if (record.error) record.error.message = scrubSecrets(record.error.message, secrets);
  if (record.output_text !== undefined) record.output_text = scrubSecrets(record.output_text, secrets);
  return record;
}
