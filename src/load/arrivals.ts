import { forkRng, type Rng } from '../util/rng.js';
import { LoadConfigError } from './errors.js';
import type { LoadProfile } from './types.js';

/** The open-loop variant of LoadProfile. */
export type RateProfile = Extract<LoadProfile, { kind: 'rate' }>;

/**
 * Intended send times of an open-loop profile, in ms from the start of the measured phase, for schedule indices
 * 0, 1, 2, ... (an infinite iterator). The first arrival is at 0; gaps follow `profile.arrival`:
 * - constant: exactly 1000/rate ms apart,
 * - poisson: exponential gaps with mean 1000/rate ms,
 * - gamma: Gamma(shape = burstiness, scale = 1/(rate*burstiness)) gaps, so the mean rate holds and the
 *   coefficient of variation of the gaps is 1/sqrt(burstiness).
 * With `rampUpS` > 0 the gaps are drawn at the full rate and the times then warped through the inverse of the
 * cumulative intensity of a rate rising linearly from 0 to `rate`, so the count at any time is the integral of the rate.
 *
 * A pure function of (profile, seed): the same seed gives the same sequence, so a shard k-of-N can walk the same
 * sequence and fire only the indices i with i % N === k.
 *
 * @example
 * const times = createArrivalSchedule({ kind: 'rate', rate: 10, arrival: 'poisson', burstiness: 1, maxConcurrency: null, rampUpS: 0 }, 42);
 * times.next().value; // 0
 */
export function createArrivalSchedule(profile: RateProfile, seed: number): Generator<number, never, void> {
  // Validate now rather than on the first next(), so a bad profile fails where it is passed in.
  validateRateProfile(profile);
  return arrivalSequence(profile, seed);
}

function* arrivalSequence(profile: RateProfile, seed: number): Generator<number, never, void> {
  if (profile.arrival === 'trace') {
    const times = profile.traceMs!;
    for (const t of times) yield t;
    // A trace ends; callers bound the count by its length, so this is never waited for.
    for (;;) yield Infinity;
  }
  const rampMs = profile.rampUpS * 1000;
  const meanGapMs = 1000 / profile.rate;
  const nextGap = gapSampler(profile, forkRng(seed, 'arrivals'));
  // `fullRateMs` is the time the arrival would have at the full rate; constant spacing is computed, not summed,
  // so long sequences do not accumulate rounding error.
  let fullRateMs = 0;
  for (let index = 0; ; index++) {
    if (index > 0) fullRateMs = nextGap === null ? index * meanGapMs : fullRateMs + nextGap();
    yield rampedTimeMs(fullRateMs, rampMs);
  }
}

/**
 * Intended send time (ms from the measured-phase start) of schedule index `index`. Walks the sequence from 0, so it
 * costs O(index); to visit many indices, iterate `createArrivalSchedule` instead.
 */
export function arrivalTimeMs(profile: RateProfile, seed: number, index: number): number {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`arrival index must be an integer >= 0, got ${index}`);
  let i = 0;
  for (const t of createArrivalSchedule(profile, seed)) {
    if (i++ === index) return t;
  }
  throw new Error('unreachable: the arrival schedule is infinite');
}

/** The first `count` intended send times (ms from the measured-phase start). */
export function arrivalTimesMs(profile: RateProfile, seed: number, count: number): number[] {
  const out: number[] = [];
  if (count <= 0) return out;
  for (const t of createArrivalSchedule(profile, seed)) {
    out.push(t);
    if (out.length >= count) break;
  }
  return out;
}

/**
 * Maps a time on the full-rate scale to the time under a linear ramp of `rampMs`. The cumulative intensity of a rate
 * rising linearly to r over R is r*t^2/(2R) for t < R and r*(t - R/2) after; dividing by r and inverting gives
 * t = sqrt(2*R*u) for u < R/2, t = u + R/2 after.
 */
export function rampedTimeMs(fullRateMs: number, rampMs: number): number {
  if (rampMs <= 0) return fullRateMs;
  if (fullRateMs < rampMs / 2) return Math.sqrt(2 * rampMs * fullRateMs);
  return fullRateMs + rampMs / 2;
}

/** Throws LoadConfigError naming the field when an open-loop profile cannot be scheduled. */
export function validateRateProfile(profile: RateProfile): void {
  if (!Number.isFinite(profile.rate) || profile.rate <= 0) {
    throw new LoadConfigError('profile.rate', `rate must be a positive number of requests per second, got ${profile.rate}`);
  }
  if (profile.arrival !== 'poisson' && profile.arrival !== 'constant' && profile.arrival !== 'gamma' && profile.arrival !== 'trace') {
    throw new LoadConfigError('profile.arrival', `arrival must be one of poisson, constant, gamma, trace; got ${String(profile.arrival)}`);
  }
  if (profile.arrival === 'trace') {
    const t = profile.traceMs;
    if (!t || t.length === 0 || t.some((x, i) => !Number.isFinite(x) || x < 0 || (i > 0 && x < t[i - 1]!))) {
      throw new LoadConfigError('profile.traceMs', 'a trace profile needs non-decreasing send times >= 0');
    }
  }
  if (profile.arrival === 'gamma' && (!Number.isFinite(profile.burstiness) || profile.burstiness <= 0)) {
    throw new LoadConfigError('profile.burstiness', `burstiness (gamma shape) must be a positive number, got ${profile.burstiness}`);
  }
  if (!Number.isFinite(profile.rampUpS) || profile.rampUpS < 0) {
    throw new LoadConfigError('profile.rampUpS', `ramp-up must be a number of seconds >= 0, got ${profile.rampUpS}`);
  }
  if (profile.maxConcurrency !== null && (!Number.isInteger(profile.maxConcurrency) || profile.maxConcurrency < 1)) {
    throw new LoadConfigError('profile.maxConcurrency', `maxConcurrency must be an integer >= 1 or null, got ${profile.maxConcurrency}`);
  }
}

/** Gap sampler in ms at the full rate; null for constant spacing (computed from the index). */
function gapSampler(profile: RateProfile, rng: Rng): (() => number) | null {
  const { rate } = profile;
  switch (profile.arrival) {
    case 'constant':
      return null;
    case 'poisson':
      return () => rng.exponential(rate) * 1000;
    case 'gamma': {
      const shape = profile.burstiness;
      return () => rng.gamma(shape, 1 / (rate * shape)) * 1000;
    }
    case 'trace':
      return null;
  }
}
