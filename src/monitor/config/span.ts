import { parseDurationMs, DURATION_FORMS } from '../../config/duration.js';
import { ConfigError } from '../../config/errors.js';

const DAY_MS = 86_400_000;
const LEADING_DAYS = /^(\d+(?:\.\d+)?)(d|w)(.*)$/;

/**
 * A monitor duration: the benchmark forms ("500ms", "60s", "1h") plus days and weeks ("30d", "1w", "1d12h"), which
 * retention and SLO windows need. A bare number means seconds.
 * @example parseSpanMs('28d') // 2419200000
 */
export function parseSpanMs(input: string | number, field: string): number {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = LEADING_DAYS.exec(text);
  if (!m) return parseDurationMs(text, { field, bareUnit: 's', allowZero: false });
  const days = Number(m[1]) * (m[2] === 'w' ? 7 : 1);
  const rest = m[3] ? parseDurationMs(m[3], { field, bareUnit: 's' }) : 0;
  const ms = days * DAY_MS + rest;
  if (!(ms > 0)) throw new ConfigError(field, `${field}: duration must be greater than zero; use ${DURATION_FORMS}, "30d" or "1w"`);
  return ms;
}
