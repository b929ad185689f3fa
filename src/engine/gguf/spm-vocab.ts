/**
 * A SentencePiece-style (llama.cpp "llama" tokenizer model) vocabulary with byte fallback.
 * Ids 0-2 are <unk>, <s>, </s>; 3-258 are the byte tokens <0x00>..<0xFF>; the rest are text pieces
 * ("▁" marks a leading space). SPM merges adjacent pieces by score, so every multi-character piece
 * is added together with its prefixes to keep it reachable.
 */

/** llama.cpp token types (tokenizer.ggml.token_type). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface SpmVocab {
  tokens: string[];
  scores: Float32Array;
  tokenTypes: Int32Array;
  unkId: number;
  bosId: number;
  eosId: number;
  /** First id of the byte tokens (<0x00> is byteBase, <0xFF> is byteBase + 255). */
  byteBase: number;
}

const SPACE = '\u2581';

// Frequent English words: real pieces make prompt token counts resemble a real tokenizer's.
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her she there one all we their has been would will what if can when more no so who out up said do ' +
  'time about into than them some could only other new like then its also over these my two first any may after ' +
  'model token request server latency throughput prompt answer question data system value number test result ' +
  'fast slow load queue batch cache memory compute speed measure bench serve stream text word people work year ' +
  'way day make know take see come think look want give use find tell ask seem feel try leave call good great ' +
  'small large long little own old right big high different next early young important few public bad same able'
).split(' ');

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function* fillerPieces(): Generator<string> {
  for (const a of LETTERS) for (const b of LETTERS) yield a + b;
  for (const a of LETTERS) for (const b of LETTERS) yield SPACE + a + b;
  for (const a of LETTERS) for (const b of LETTERS) for (const c of LETTERS) yield a + b + c;
}

/**
 * Builds a vocabulary of exactly `size` tokens (size >= 512).
 *
 * @example
 * const v = buildSpmVocab(1024); // v.tokens[v.byteBase + 0x41] === '<0x41>'
 */
export function buildSpmVocab(size: number): SpmVocab {
  if (!Number.isInteger(size) || size < 512) throw new RangeError(`vocab size must be an integer >= 512, got ${size}`);
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TokenType.BYTE);
  }
  const seen = new Set<string>(tokens);
  const add = (piece: string): void => {
    if (tokens.length >= size || seen.has(piece)) return;
    seen.add(piece);
    tokens.push(piece);
    types.push(TokenType.NORMAL);
  };
  add(SPACE);
  for (let c = 33; c < 127; c++) add(String.fromCharCode(c));
  for (const l of LETTERS) add(SPACE + l);
  for (const l of LETTERS.toUpperCase()) add(SPACE + l);
  for (const w of WORDS) {
    for (let n = 2; n <= w.length; n++) add(SPACE + w.slice(0, n));
    for (let n = 2; n <= w.length; n++) add(w.slice(0, n));
  }
  for (const p of fillerPieces()) {
    if (tokens.length >= size) break;
    add(p);
  }
  // Scores: longer pieces merge first (higher score), ties broken by id, as in trained SPM vocabularies.
  const scores = new Float32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    scores[i] = types[i] === TokenType.NORMAL ? -i / 1000 + [...tokens[i]!].length : 0;
  }
  return { tokens, scores, tokenTypes: Int32Array.from(types), unkId: 0, bosId: 1, eosId: 2, byteBase: 3 };
}
