import type { RequestRecord } from '../measure/record.js';

export interface QualityStat {
  mean: number;
  /** Sample standard deviation over the scored requests (0 for one). */
  stddev: number;
}

/** Answer quality of a run, over its succeeded measured requests that were scored against references. */
export interface QualitySummary {
  requests: number;
  /** Share of answers equal to a reference after normalization. */
  exact_match: QualityStat;
  f1: QualityStat;
  rouge_l: QualityStat;
}

export function summarizeQuality(succeeded: readonly RequestRecord[]): QualitySummary | null {
  const scored = succeeded.flatMap((r) => (r.quality ? [r.quality] : []));
  if (scored.length === 0) return null;
  const stat = (xs: number[]): QualityStat => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.length > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
    return { mean, stddev: Math.sqrt(variance) };
  };
  return {
    requests: scored.length,
    exact_match: stat(scored.map((q) => q.exact_match)),
    f1: stat(scored.map((q) => q.f1)),
    rouge_l: stat(scored.map((q) => q.rouge_l)),
  };
}
