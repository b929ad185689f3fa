import { parseDurationMs } from './duration.js';
import { ConfigError } from './errors.js';

/**
 * Per-request service-level objectives, all in milliseconds. A request is good when it succeeded
 * and meets every objective given (see summary goodput).
 * - ttft_ms: TTFT <= limit
 * - tpot_ms: TPOT <= limit (a request whose TPOT is n/a meets it only when the run says so)
 * - e2e_ms: E2E latency <= limit
 * - itl_ms: every inter-chunk gap <= limit, i.e. the request's longest stall
 * - ttfo_ms: time to first non-reasoning output <= limit
 */
export interface Slo {
  ttft_ms?: number;
  tpot_ms?: number;
  e2e_ms?: number;
  itl_ms?: number;
  ttfo_ms?: number;
}

export const SLO_KEYS = ['ttft', 'tpot', 'e2e', 'itl', 'ttfo'] as const;
export type SloKey = (typeof SLO_KEYS)[number];

const FORMS =
  'comma-separated KEY=DURATION with KEY one of ttft, tpot, e2e, itl, ttfo and DURATION like "500ms", "2s", "1.5m" ' +
  '(bare numbers are ms), e.g. "ttft=500ms,tpot=50ms,e2e=10s"';

/**
 * Parses an SLO spec such as `ttft=500ms,tpot=50ms,e2e=10s`.
 * Throws ConfigError naming the allowed forms on unknown keys, duplicates or bad durations.
 *
 * @example parseSlo('ttft=500ms,e2e=10s') // { ttft_ms: 500, e2e_ms: 10000 }
 */
export function parseSlo(spec: string, field = '--slo'): Slo {
  const text = spec.trim();
  if (text === '') throw new ConfigError(field, `${field}: empty SLO; use ${FORMS}`);
  const slo: Slo = {};
  for (const rawPart of text.split(',')) {
    const part = rawPart.trim();
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError(field, `${field}: ${JSON.stringify(part)} is not KEY=DURATION; use ${FORMS}`);
    }
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (!isSloKey(key)) {
      throw new ConfigError(field, `${field}: unknown SLO ${JSON.stringify(key)}; use ${FORMS}`);
    }
    const prop = `${key}_ms` as const;
    if (slo[prop] !== undefined) {
      throw new ConfigError(field, `${field}: ${key} given twice`);
    }
    let ms: number;
    try {
      ms = parseDurationMs(value, { field: `${field} ${key}`, allowZero: false });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new ConfigError(field, `${detail}; SLO form: ${FORMS}`, { cause: err });
    }
    slo[prop] = ms;
  }
  return slo;
}

/** True when no objective is set. */
export function isEmptySlo(slo: Slo | null | undefined): boolean {
  return !slo || SLO_KEYS.every((k) => slo[`${k}_ms`] === undefined);
}

/** Formats an SLO back to its spec form, e.g. "ttft=500ms,e2e=10000ms". */
export function formatSlo(slo: Slo): string {
  return SLO_KEYS.filter((k) => slo[`${k}_ms`] !== undefined)
    .map((k) => `${k}=${slo[`${k}_ms`]}ms`)
    .join(',');
}

function isSloKey(key: string): key is SloKey {
  return (SLO_KEYS as readonly string[]).includes(key);
}
