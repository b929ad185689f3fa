/**
 * Judges the load generator against the figures it reports: a timestamp taken while streams are open can be
 * late by the event loop's delay, so a run whose delay is large next to its ITL or TTFT cannot resolve them,
 * however healthy the client looks in absolute terms (24-56 ms of delay is fine for 2 s TTFTs, useless for
 * 5 ms ITLs). Pure.
 */
import type { Fidelity } from '../measure/fidelity.js';

/** Delay below this never degrades a run: sub-millisecond timing is the resolution anyone reports. */
export const TIMING_FLOOR_MS = 1;
/**
 * Degraded: the delay's p99 (how late a tail timestamp may be) above this share of the mean ITL or the TTFT p50;
 * the percentiles hold but their tails carry that error. The mean ITL, not the median: a blocked loop bunches
 * chunks into one read, which drives the median to 0.
 */
export const DEGRADED_SHARE = { itl: 0.25, ttft: 0.1 } as const;
/**
 * Invalid: the delay's median (how late a typical timestamp is) above this share of the TTFT p50: then even the
 * typical TTFT is the client's, not the server's. ITL never invalidates a run: jitter widens ITL percentiles but
 * leaves its mean, TPOT (spread over many tokens) and E2E right.
 */
export const INVALID_TTFT_SHARE = 0.5;

/**
 * Adds `timing_uncertainty_ms` (the delay's p99), `status` (valid, degraded, invalid) and `degraded_reasons` to
 * the runner's fidelity, from the run's mean ITL and median TTFT.
 *
 * @example judgeTiming(fidelity, { itlMean: 5, ttftP50: 40 }).status // 'invalid' when the loop lagged 30 ms at p50
 */
export function judgeTiming(f: Fidelity, typical: { itlMean: number | null; ttftP50: number | null }): Fidelity {
  const u = f.event_loop_lag_ms.p99;
  const median = f.event_loop_lag_ms.p50;
  const invalid = [...f.invalid_reasons];
  const degraded: string[] = [];
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const ttft = typical.ttftP50;
  if (ttft !== null && ttft > 0 && median > TIMING_FLOOR_MS && median / ttft > INVALID_TTFT_SHARE) {
    invalid.push(
      `a typical timestamp was ${fmt(median)} ms late (event-loop delay p50 while streaming), ${pct(median / ttft)} of the TTFT p50 ` +
        `of ${fmt(ttft)} ms (limit ${pct(INVALID_TTFT_SHARE)}): the TTFT measured is the client's, not the server's`,
    );
  }
  const check = (name: 'itl' | 'ttft', value: number | null): void => {
    if (value === null || value <= 0 || u <= TIMING_FLOOR_MS) return;
    const share = u / value;
    if (share <= DEGRADED_SHARE[name]) return;
    const what = name === 'itl' ? 'mean ITL' : 'TTFT p50';
    const effect =
      name === 'itl' && share > 1 ? 'the client cannot resolve single gaps: ITL percentiles are smeared' : `${name.toUpperCase()} tail percentiles carry that error`;
    degraded.push(
      `timestamps may be late by up to ${fmt(u)} ms (event-loop delay p99 while streaming), ${pct(share)} of the ${what} of ` +
        `${fmt(value)} ms (limit ${pct(DEGRADED_SHARE[name])}): ${effect}`,
    );
  };
  check('itl', typical.itlMean);
  check('ttft', typical.ttftP50);
  const status = invalid.length > 0 ? 'invalid' : degraded.length > 0 ? 'degraded' : 'valid';
  return { ...f, timing_uncertainty_ms: u, status, valid: status !== 'invalid', invalid_reasons: invalid, degraded_reasons: degraded };
}

function fmt(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toFixed(1);
}
