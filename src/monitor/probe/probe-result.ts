import { randomUUID } from 'node:crypto';
import type { ErrorClass, RequestRecord } from '../../measure/record.js';
import { e2eMs, outputTokens, tpotMs, ttftMs } from '../../stats/request-metrics.js';

/** One finished probe: the bench record plus where, when and the figures read from it. */
export interface ProbeResult {
  /** Made by the instance that ran the probe; storing it twice keeps one row. */
  id: string;
  target: string;
  probe: string;
  location: string;
  /** Wall-clock ms since the Unix epoch when the request was sent. */
  wallMs: number;
  ok: boolean;
  errorClass: ErrorClass | null;
  ttftMs: number | null;
  tpotMs: number | null;
  e2eMs: number | null;
  outputTokens: number | null;
  record: RequestRecord;
}

/** Derives a probe's figures from its record with the same pure functions bench's summary uses. */
export function probeResult(record: RequestRecord, where: { target: string; probe: string; location: string }): ProbeResult {
  const wallMs = Math.round(((record.clock_epoch_ms ?? 0) + record.t_send) * 1000) / 1000;
  return {
    id: randomUUID(),
    ...where,
    wallMs,
    ok: record.ok,
    errorClass: record.error?.class ?? null,
    ttftMs: ttftMs(record),
    tpotMs: tpotMs(record),
    e2eMs: record.ok ? e2eMs(record) : null,
    outputTokens: record.ok ? outputTokens(record).count : null,
    record,
  };
}

/** Output tokens per second of one probe over its whole request (E2E), or null when it failed. */
export function outputTokensPerSecond(p: Pick<ProbeResult, 'outputTokens' | 'e2eMs'>): number | null {
  if (p.outputTokens === null || p.e2eMs === null || p.e2eMs <= 0) return null;
  return p.outputTokens / (p.e2eMs / 1000);
}
