/** The verdict rule: a change is called only when it is both statistically and practically significant. */
import type { MetricDef } from './metrics.js';
import type { ConfidenceInterval, Verdict } from './types.js';

/**
 * improved / regressed when the interval excludes 0 AND |change| exceeds the threshold; else
 * no_significant_change (with a note when only one of the two held); n/a without an interval.
 * A latency change no larger than the client's timing noise (`noise.floor`, ms) is not called either.
 * `changePct` null with an interval means the relative change is unbounded (base 0): the interval decides.
 *
 * @example verdictFor({ better: 'lower' }, 30, { low: 20, high: 40, ... }, 5) // { verdict: 'regressed' }
 */
export function verdictFor(
  metric: Pick<MetricDef, 'better'>,
  changePct: number | null,
  ci: ConfidenceInterval | null,
  thresholdPct: number,
  noise?: { absoluteChange: number; floor: number },
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
  if (noise && Math.abs(noise.absoluteChange) <= noise.floor) {
    return {
      verdict: 'no_significant_change',
      note: `|change| ${fmtMs(Math.abs(noise.absoluteChange))} ms is within the client's timing noise (${fmtMs(noise.floor)} ms event-loop delay)`,
    };
  }
  const worse = metric.better === 'lower' ? up : down;
  return { verdict: worse ? 'regressed' : 'improved' };
}

function fmtMs(x: number): string {
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
