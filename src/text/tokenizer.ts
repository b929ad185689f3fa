/**
 * Client-side token counting. Benchmarks need prompt lengths in tokens without loading the served
 * model's tokenizer, so we use OpenAI's o200k_base BPE (GPT-4o family) through `gpt-tokenizer`.
 * Importing the single encoding module (not the package root) keeps start-up to roughly 150 ms.
 *
 * Counts are exact for o200k_base models and approximate for others (Llama, Qwen, Mistral...):
 * on English prose they usually agree within about 10-20%. Server-reported `usage` counts remain
 * the authority for throughput; this count sizes prompts and fills `input_tokens`.
 */
import {
  encode as bpeEncode,
  encodeGenerator as bpeEncodeGenerator,
  decode as bpeDecode,
} from 'gpt-tokenizer/encoding/o200k_base';

/** Name of the encoding used for every client-side token count. */
export const TOKENIZER_NAME = 'o200k_base';

// Special-token strings such as "<|endoftext|>" in user data are counted as plain text instead of
// throwing: a dataset that quotes them is still a valid prompt.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Token ids of `text` under {@link TOKENIZER_NAME}.
 * @example encode('hello world') // [24912, 2375]
 */
export function encode(text: string): number[] {
  return bpeEncode(text, PLAIN_TEXT);
}

/** Text of the given token ids; inverse of {@link encode} for whole sequences. */
export function decode(tokens: Iterable<number>): string {
  return bpeDecode(tokens);
}

/**
 * Number of tokens in `text` under {@link TOKENIZER_NAME}.
 * @example countTokens('hello world') // 2
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return bpeEncode(text, PLAIN_TEXT).length;
}

/**
 * Token ids of `text` grouped by pre-token (the tokenizer's regex split: roughly a word with its
 * leading space, a punctuation run, or a whitespace run). Tokens never merge across these groups,
 * so slicing a token array at group starts gives text that re-encodes to the same tokens.
 */
export function encodePieces(text: string): number[][] {
  return [...bpeEncodeGenerator(text, PLAIN_TEXT)];
}
