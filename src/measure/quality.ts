/**
 * Answer quality against reference answers, per request: exact match and token F1 as in SQuAD's evaluation
 * (lower case, punctuation and the articles a/an/the removed, whitespace collapsed) and ROUGE-L F1 (longest common
 * subsequence of those tokens, summary-level over sentences, from js-rouge). With several references a request
 * takes its best score on each measure.
 */
import { l as rougeLScore } from 'js-rouge';

export interface QualityScores {
  /** 1 when the normalized answer equals a normalized reference, else 0. */
  exact_match: number;
  /** Token-overlap F1 (0-1). */
  f1: number;
  /** ROUGE-L F-measure (0-1). */
  rouge_l: number;
}

const ARTICLES = new Set(['a', 'an', 'the']);

/** SQuAD normalization, as tokens. */
export function answerTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .split(/\s+/)
    .filter((t) => t !== '' && !ARTICLES.has(t));
}

export function exactMatch(answer: string, reference: string): number {
  return answerTokens(answer).join(' ') === answerTokens(reference).join(' ') ? 1 : 0;
}

export function tokenF1(answer: string, reference: string): number {
  const a = answerTokens(answer);
  const r = answerTokens(reference);
  // SQuAD: two empty answers agree; one empty answer does not.
  if (a.length === 0 || r.length === 0) return a.length === r.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of r) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of a) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / a.length;
  const recall = common / r.length;
  return (2 * precision * recall) / (precision + recall);
}

export function rougeL(answer: string, reference: string): number {
  if (answerTokens(answer).length === 0 || answerTokens(reference).length === 0) return 0;
  return rougeLScore(answer, reference, { caseSensitive: false, tokenizer: answerTokens });
}

/** Best score over the references on each measure. */
export function scoreAnswer(answer: string, references: readonly string[]): QualityScores {
  let best: QualityScores = { exact_match: 0, f1: 0, rouge_l: 0 };
  for (const ref of references) {
    best = {
      exact_match: Math.max(best.exact_match, exactMatch(answer, ref)),
      f1: Math.max(best.f1, tokenF1(answer, ref)),
      rouge_l: Math.max(best.rouge_l, rougeL(answer, ref)),
    };
  }
  return best;
}

/**
 * Scores the succeeded requests whose spec had references, in place. Runs after the load (ROUGE-L costs about a
 * millisecond per few hundred words, too much for the event loop while streams are timed).
 */
export function scoreRecords(
  records: Array<{ ok: boolean; index: number; output_text?: string; quality?: QualityScores }>,
  referencesOf: (index: number) => readonly string[] | undefined,
): number {
  let scored = 0;
  for (const r of records) {
    if (!r.ok || r.output_text === undefined) continue;
    const refs = referencesOf(r.index);
    if (!refs || refs.length === 0) continue;
    r.quality = scoreAnswer(r.output_text, refs);
    scored++;
  }
  return scored;
}
