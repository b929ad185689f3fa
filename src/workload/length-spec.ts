/**
 * Length specs for --input-tokens / --output-tokens: `N` (fixed), `MIN:MAX` (uniform integer) or
 * `MEAN,STDDEV[,MIN,MAX]` (normal, rounded, clamped). Parsed and rejected before a run starts.
 */
import { DEFAULTS } from '../config/defaults.js';
import { ConfigError } from '../config/errors.js';
import type { Rng } from '../util/rng.js';

interface LengthBase {
  /** The spec as written, for reports. */
  readonly text: string;
  /** Smallest value sample() can return. */
  readonly min: number;
  /** Largest value sample() can return (the length limit for a normal without MAX). */
  readonly max: number;
  /** A token length drawn from the distribution: an integer >= 1. */
  sample(rng: Rng): number;
}

export interface FixedLength extends LengthBase {
  readonly kind: 'fixed';
  readonly value: number;
}

export interface UniformLength extends LengthBase {
  readonly kind: 'uniform';
}

export interface NormalLength extends LengthBase {
  readonly kind: 'normal';
  readonly mean: number;
  readonly stddev: number;
}

/** A distribution of token lengths. */
export type LengthDistribution = FixedLength | UniformLength | NormalLength;

const FORMS = 'use N, MIN:MAX or MEAN,STDDEV[,MIN,MAX]';
/** No model takes more: a larger length is a typo, and every request would fail. */
const LIMIT = DEFAULTS.maxLengthTokens;
const INTEGER = /^\d+$/;
const NUMBER = /^\d+(\.\d+)?$/;

/** A fixed length, for programmatic callers that need no parsing. */
export function fixedLength(value: number): FixedLength {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`length must be an integer >= 1, got ${value}`);
  return { kind: 'fixed', text: String(value), value, min: value, max: value, sample: () => value };
}

/**
 * Parse a length spec; `field` names the option in error messages.
 * @example parseLengthSpec('512', '--input-tokens').sample(rng) // 512
 * @example parseLengthSpec('100:200', '--output-tokens')       // uniform integer in [100, 200]
 * @example parseLengthSpec('500,100,50,2000', '--input-tokens') // normal(500, 100) clamped to [50, 2000]
 * @throws ConfigError naming the field and the allowed forms.
 */
export function parseLengthSpec(text: string, field: string): LengthDistribution {
  const spec = String(text).trim();
  const fail = (why: string): never => {
    throw new ConfigError(field, `${field}: "${text}" ${why}; ${FORMS}`);
  };
  const positiveInt = (part: string, what: string): number => {
    const p = part.trim();
    if (!INTEGER.test(p)) fail(`is not a length (${what} "${p}" is not a whole number)`);
    const n = Number(p);
    if (n < 1) fail(`is not a length (${what} must be at least 1)`);
    if (!Number.isSafeInteger(n) || n > LIMIT) fail(`is not a possible length (${what} is above ${LIMIT} tokens)`);
    return n;
  };

  if (spec.length === 0) fail('is not a length');

  if (INTEGER.test(spec)) {
    const value = positiveInt(spec, 'N');
    return { kind: 'fixed', text: spec, value, min: value, max: value, sample: () => value };
  }

  if (spec.includes(':')) {
    const parts = spec.split(':');
    if (parts.length !== 2) fail('is not a length');
    const min = positiveInt(parts[0] ?? '', 'MIN');
    const max = positiveInt(parts[1] ?? '', 'MAX');
    if (min > max) fail(`is not a length (MIN ${min} is greater than MAX ${max})`);
    return { kind: 'uniform', text: spec, min, max, sample: (rng) => rng.int(min, max) };
  }

  if (spec.includes(',')) {
    const parts = spec.split(',').map((p) => p.trim());
    if (parts.length !== 2 && parts.length !== 4) fail('is not a length (a normal spec has 2 or 4 numbers)');
    const [meanText = '', stddevText = ''] = parts;
    if (!NUMBER.test(meanText)) fail(`is not a length (MEAN "${meanText}" is not a number)`);
    if (!NUMBER.test(stddevText)) fail(`is not a length (STDDEV "${stddevText}" is not a number)`);
    const mean = Number(meanText);
    const stddev = Number(stddevText);
    if (mean <= 0) fail('is not a length (MEAN must be positive)');
    if (mean > LIMIT) fail(`is not a possible length (MEAN is above ${LIMIT} tokens)`);
    const min = parts.length === 4 ? positiveInt(parts[2] ?? '', 'MIN') : 1;
    const max = parts.length === 4 ? positiveInt(parts[3] ?? '', 'MAX') : LIMIT;
    if (min > max) fail(`is not a length (MIN ${min} is greater than MAX ${max})`);
    const sample = (rng: Rng): number => Math.min(max, Math.max(min, Math.round(rng.normal(mean, stddev))));
    return { kind: 'normal', text: spec, mean, stddev, min, max, sample };
  }

  return fail('is not a length');
}
