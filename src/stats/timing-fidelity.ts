/**
 * Judges the load generator against the figures it reports: a timestamp taken while streams are open can be
 * late by the event loop's delay, so a run whose delay is large next to its ITL or TTFT cannot resolve them,
 * however healthy the client looks in absolute terms (24-56 ms of delay is fine for 2 s TTFTs, useless for
 * 5 ms ITLs). Pure.
 */
import type { Fidelity } from '../measure/fidelity.js';

/** Uncertainty below this never degrades a run: sub-millisecond timing is the resolution anyone reports. */
export const TIMING_FLOOR_MS = 1;
/**
 * Uncertainty (event-loop delay p99) as a share of the mean ITL / TTFT p50 above which a run is degraded / invalid.
 * The mean ITL, not the median: a blocked loop bunches chunks into one read, which drives the median to 0.
 * ITL only degrades a run: jitter of the timestamps widens ITL percentiles but leaves its mean, TPOT (spread
 * over many tokens) and E2E right; a TTFT the client cannot resolve makes the run invalid.
 */
export const TIMING_LIMITS = { itl: { degraded: 0.25, invalid: Infinity }, ttft: { degraded: 0.1, invalid: 0.5 } } as const;

/**
 * Adds `timing_uncertainty_ms`, `status` (valid, degraded, invalid) and `degraded_reasons` to the runner's
 * fidelity, from the run's mean ITL and median TTFT.
 *
 * @example judgeTiming(fidelity, { itlMean: 5, ttftP50: 40 }).status // 'invalid' when the loop lagged 30 ms at p99
 */
export function judgeTiming(f: Fidelity, typical: { itlMean: number | null; ttftP50: number | null }): Fidelity {
  const u = f.event_loop_lag_ms.p99;
  const invalid = [...f.invalid_reasons];
  const degraded: string[] = [];
  const check = (name: 'itl' | 'ttft', value: number | null): void => {
    if (value === null || value <= 0 || u <= TIMING_FLOOR_MS) return;
    const share = u / value;
    const limits = TIMING_LIMITS[name];
    const label = name.toUpperCase();
    const sentence =
      `timestamps may be late by up to ${fmt(u)} ms (event-loop delay p99 while streaming), ${Math.round(share * 100)}% of the ` +
      `${name === 'itl' ? 'mean ITL' : 'TTFT p50'} of ${fmt(value)} ms`;
    if (share > limits.invalid) invalid.push(`${sentence} (limit ${limits.invalid * 100}%): the client cannot resolve ${label}`);
    else if (share > limits.degraded) {
      const effect = share > 1 ? 'the client cannot resolve single gaps: ITL percentiles are smeared' : `${label} percentiles carry that error`;
      degraded.push(`${sentence} (limit ${limits.degraded * 100}%): ${effect}`);
    }
  };
  check('itl', typical.itlMean);
  check('ttft', typical.ttftP50);
  const status = invalid.length > 0 ? 'invalid' : degraded.length > 0 ? 'degraded' : 'valid';
  return { ...f, timing_uncertainty_ms: u, status, valid: status !== 'invalid', invalid_reasons: invalid, degraded_reasons: degraded };
}

function fmt(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toFixed(1);
}
