/**
 * Client-side token counting, the fallback when the server reports no usage. Uses gpt-tokenizer's o200k_base
 * vocabulary (GPT-4o / o-series / gpt-oss): a fixed, documented choice, since the served model's own tokenizer
 * is unknown to an HTTP client. Special-token strings in the text are counted as plain text, never rejected.
 */
type Encode = (text: string, options?: { disallowedSpecial?: Set<string> }) => number[];

let encodePromise: Promise<Encode> | null = null;
const NO_SPECIAL = new Set<string>();

/** The tokenizer's name, for reports. */
export const TOKENIZER_NAME = 'o200k_base';

/** Loads the vocabulary once (it is several MB, so only when first needed). */
function loadEncoder(): Promise<Encode> {
  encodePromise ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => m.encode as Encode);
  return encodePromise;
}

/**
 * Counts tokens of `text` with the o200k_base tokenizer.
 * @example await countTextTokens('hello world') // 2
 */
export async function countTextTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const encode = await loadEncoder();
  return encode(text, { disallowedSpecial: NO_SPECIAL }).length;
}

/**
 * Loads the vocabulary ahead of time. Loading blocks the event loop for ~0.2 s, which must not happen in the
 * middle of a run while other streams are being timed; the client calls this when it is created.
 */
export function preloadTokenizer(): Promise<void> {
  return loadEncoder().then(() => undefined);
}
