import { ConfigError } from './errors.js';

/** Milliseconds per unit accepted in duration strings. */
const UNIT_MS: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export const DURATION_FORMS = '"500ms", "2s", "1.5m", "1h", "1m30s", "250us", or a bare number';

export interface DurationOptions {
  /** Name of the flag or config field, used in error messages. */
  field?: string;
  /** Unit of a bare number: 'ms' for latencies (default), 's' for run lengths. */
  bareUnit?: 'ms' | 's';
  /** Accept zero (default true). Negative durations are always rejected. */
  allowZero?: boolean;
}

const PART = /(\d+(?:\.\d+)?|\.\d+)(us|µs|ms|s|m|h)/gy;
const BARE = /^(\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Parses a duration into milliseconds. A bare number means `bareUnit` (ms by default, since most
 * durations here are latencies); units may be chained ("1m30s").
 *
 * @example parseDurationMs('1.5m') // 90000
 * @example parseDurationMs('2', { bareUnit: 's' }) // 2000
 */
export function parseDurationMs(input: string | number, options: DurationOptions = {}): number {
  const field = options.field ?? 'duration';
  const bareUnit = options.bareUnit ?? 'ms';
  const allowZero = options.allowZero ?? true;
  let ms: number;
  if (typeof input === 'number') {
    ms = input * (bareUnit === 's' ? 1000 : 1);
  } else {
    const text = input.trim();
    if (BARE.test(text)) {
      ms = Number(text) * (bareUnit === 's' ? 1000 : 1);
    } else {
      ms = parseUnits(text, field);
    }
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw new ConfigError(field, `${field}: invalid duration ${JSON.stringify(input)}; use ${DURATION_FORMS}`);
  }
  if (ms === 0 && !allowZero) {
    throw new ConfigError(field, `${field}: duration must be greater than zero, got ${JSON.stringify(input)}`);
  }
  return ms;
}

function parseUnits(text: string, field: string): number {
  const fail = (): never => {
    throw new ConfigError(field, `${field}: invalid duration ${JSON.stringify(text)}; use ${DURATION_FORMS}`);
  };
  if (text === '') fail();
  PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return fail();
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART.lastIndex;
  }
  return total;
}

/** Formats milliseconds compactly for messages and tables ("850ms", "2.5s", "3m"). */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${trimNumber(ms)}ms`;
  if (ms < 60_000) return `${trimNumber(ms / 1000)}s`;
  if (ms < 3_600_000) return `${trimNumber(ms / 60_000)}m`;
  return `${trimNumber(ms / 3_600_000)}h`;
}

function trimNumber(x: number): string {
  return String(Number(x.toFixed(3)));
}
