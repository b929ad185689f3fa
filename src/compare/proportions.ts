/**
 * Intervals for proportions (error rate, goodput attainment): Wilson score intervals per run and Newcombe's
 * hybrid score interval for the difference of two independent proportions (Newcombe 1998, method 10).
 * Both keep their coverage near the nominal level for small counts and proportions near 0, where the
 * textbook normal (Wald) interval fails.
 */

/** Two-sided standard normal quantile for a confidence level, e.g. 0.95 -> 1.95996. */
export function zForConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return inverseNormalCdf(1 - (1 - confidence) / 2);
}

/**
 * Wilson score interval for `successes` of `trials`.
 * @example wilsonInterval(0, 100, 0.95) // { low: 0, high: 0.037 }
 */
export function wilsonInterval(successes: number, trials: number, confidence: number): { low: number; high: number } {
  if (trials <= 0) return { low: 0, high: 1 };
  const z = zForConfidence(confidence);
  const p = successes / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

export interface ProportionDifference {
  /** p_candidate - p_base. */
  difference: number;
  low: number;
  high: number;
}

/**
 * Newcombe's hybrid score interval for p_candidate - p_base from two independent samples.
 *
 * @example newcombeDifference({ x: 10, n: 1000 }, { x: 40, n: 1000 }, 0.95) // low > 0: more failures
 */
export function newcombeDifference(
  base: { x: number; n: number },
  candidate: { x: number; n: number },
  confidence: number,
): ProportionDifference {
  const pb = base.n > 0 ? base.x / base.n : 0;
  const pc = candidate.n > 0 ? candidate.x / candidate.n : 0;
  const wb = wilsonInterval(base.x, base.n, confidence);
  const wc = wilsonInterval(candidate.x, candidate.n, confidence);
  const d = pc - pb;
  const below = Math.sqrt((pc - wc.low) ** 2 + (wb.high - pb) ** 2);
  const above = Math.sqrt((wc.high - pc) ** 2 + (pb - wb.low) ** 2);
  return { difference: d, low: d - below, high: d + above };
}

/** Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9). */
function inverseNormalCdf(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (coef: number[], x: number): number => coef.reduce((acc, k) => acc * x + k, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
