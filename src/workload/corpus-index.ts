/**
 * The bundled corpus, tokenized once, with the positions where a prompt may start or end so that a
 * slice of its tokens decodes to text that re-encodes to exactly that many tokens.
 */
import { CORPUS_TEXT } from './corpus.js';
import { decode, encodePieces } from '../text/tokenizer.js';

export interface CorpusIndex {
  readonly text: string;
  /** Token count of one copy of the corpus. */
  readonly size: number;
  /** charStart[i] = offset in `text` where token i begins; charStart[size] = text.length. */
  readonly charStart: Int32Array;
  /** 1 where token i begins a pre-token (a slice may end just before it). */
  readonly boundary: Uint8Array;
  /** 1 where a slice may begin: a pre-token start whose text is a space and a letter (" word"). */
  readonly startable: Uint8Array;
}

let cached: CorpusIndex | undefined;

/** The corpus index, built on first use (about 4,000 tokens; tens of milliseconds). */
export function corpusIndex(): CorpusIndex {
  cached ??= buildCorpusIndex(CORPUS_TEXT);
  return cached;
}

/**
 * Index `text` for slicing. Requires ASCII text (so every token maps to whole characters) that
 * ends with a blank line (so the text repeated end to end tokenizes as the copies' tokens).
 */
export function buildCorpusIndex(text: string): CorpusIndex {
  if (!/^[\x00-\x7f]*\n\n$/.test(text)) throw new Error('corpus must be ASCII and end with a blank line');
  const pieces = encodePieces(text);
  const size = pieces.reduce((n, p) => n + p.length, 0);
  const charStart = new Int32Array(size + 1);
  const boundary = new Uint8Array(size + 1);
  const startable = new Uint8Array(size);
  let i = 0;
  let offset = 0;
  for (const piece of pieces) {
    boundary[i] = 1;
    for (let j = 0; j < piece.length; j++) {
      charStart[i] = offset;
      const tokenText = decode([piece[j] ?? 0]);
      if (j === 0 && /^ [A-Za-z]/.test(tokenText)) startable[i] = 1;
      offset += tokenText.length;
      i++;
    }
  }
  charStart[size] = offset;
  boundary[size] = 1;
  if (offset !== text.length) throw new Error('corpus tokens do not map onto its characters');
  return { text, size, charStart, boundary, startable };
}

/**
 * Text of tokens [start, start + length) of the corpus repeated end to end.
 * `start` is in [0, size); `length` may exceed the corpus size (the text wraps around).
 */
export function sliceCorpus(index: CorpusIndex, start: number, length: number): string {
  const end = start + length;
  const from = index.charStart[start] ?? 0;
  const wraps = Math.floor(end / index.size);
  const to = index.charStart[end % index.size] ?? 0;
  if (wraps === 0) return index.text.slice(from, to);
  return index.text.slice(from) + index.text.repeat(wraps - 1) + index.text.slice(0, to);
}
