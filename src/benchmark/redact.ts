/** Header names whose values are secrets. */
const SECRET_HEADERS = /^(authorization|proxy-authorization|x-api-key|api-key|cookie|x-goog-api-key)$/i;

/** Replaces secret header values; keeps the names so a reader can see a key was sent. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.test(k) ? '[redacted]' : v;
  return out;
}

/** Removes every occurrence of the secrets from a text (error messages, logs). */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
