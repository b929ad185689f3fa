/**
 * Do two runs give the same answers? Requests are paired by their index (the same prompt when both runs used the
 * same seed and workload with --reuse-prompts); each pair's outputs are compared exactly and by ROUGE-L.
 * Needs the outputs: --save-text, or answers scored against references.
 */
import type { RequestRecord } from '../measure/record.js';
import { rougeL } from '../measure/quality.js';
import { quantileSorted } from '../stats/percentiles.js';

export interface Consistency {
  /** Requests that succeeded in both runs with their text kept. */
  pairs: number;
  /** Share of pairs whose outputs are identical. */
  identical: number;
  /** ROUGE-L between the two outputs of a pair (1 = same words in the same order). */
  similarity: { mean: number; p10: number; p50: number };
}

/** Null when fewer than one pair can be formed. */
export function outputConsistency(base: readonly RequestRecord[], candidate: readonly RequestRecord[]): Consistency | null {
  const texts = new Map<number, string>();
  for (const r of base) if (!r.warmup && r.ok && r.output_text !== undefined) texts.set(r.index, r.output_text);
  const sims: number[] = [];
  let identical = 0;
  for (const r of candidate) {
    if (r.warmup || !r.ok || r.output_text === undefined) continue;
    const other = texts.get(r.index);
    if (other === undefined) continue;
    if (other === r.output_text) {
      identical++;
      sims.push(1);
    } else {
      sims.push(rougeL(r.output_text, other));
    }
  }
  if (sims.length === 0) return null;
  sims.sort((a, b) => a - b);
  return {
    pairs: sims.length,
    identical: identical / sims.length,
    similarity: { mean: sims.reduce((a, b) => a + b, 0) / sims.length, p10: quantileSorted(sims, 0.1), p50: quantileSorted(sims, 0.5) },
  };
}
