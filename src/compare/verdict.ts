/** The verdict rule: a change is called only when it is both statistically and practically significant. */
import type { MetricDef } from './metrics.js';
import type { ConfidenceInterval, Verdict } from './types.js';

/**
 * improved / regressed when the interval excludes 0 AND |change| exceeds the threshold; else
 * no_significant_change (with a note when only one of the two held); n/a without an interval.
 * `changePct` null with an interval means the relative change is unbounded (base 0): the interval decides.
 *
 * @example verdictFor({ better: 'lower' }, 30, { low: 20, high: 40, ... }, 5) // { verdict: 'regressed' }
 */
export function verdictFor(
  metric: Pick<MetricDef, 'better'>,
  changePct: number | null,
  ci: ConfidenceInterval | null,
  thresholdPct: number,
): { verdict: Verdict; note?: string } {
  if (ci === null) return { verdict: 'n/a' };
  const up = ci.low > 0;
  const down = ci.high < 0;
  if (!up && !down) return { verdict: 'no_significant_change' };
  if (changePct !== null) {
    if (Math.sign(changePct) !== (up ? 1 : -1)) {
      return { verdict: 'no_significant_change', note: 'the point change and its interval disagree in sign' };
    }
    if (Math.abs(changePct) <= thresholdPct) {
      return {
        verdict: 'no_significant_change',
        note: `statistically significant but |change| ${Math.abs(changePct).toFixed(1)}% is within the ${thresholdPct}% threshold`,
      };
    }
  }
  const worse = metric.better === 'lower' ? up : down;
  return { verdict: worse ? 'regressed' : 'improved' };
}
