import { randomBytes } from 'node:crypto';

/** Crockford base32, lowercase: no i, l, o, u, so ids read back unambiguously. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RUN_ID_LENGTH = 10;

/**
 * A fresh random run id (50 bits).
 * @example newRunId() // "7k2q9xw0ma"
 */
export function newRunId(): string {
  const bytes = randomBytes(RUN_ID_LENGTH);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return id;
}

/** True when `text` could be (a prefix of) a run id; case-insensitive. */
export function looksLikeIdPrefix(text: string): boolean {
  return text.length > 0 && text.length <= RUN_ID_LENGTH && /^[0-9a-hjkmnp-tv-z]+$/i.test(text);
}
