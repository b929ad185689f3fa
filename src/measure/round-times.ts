import type { RequestRecord } from './record.js';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * Rounds a record's times to the microsecond, in place. performance.now() differences carry float noise
 * (11.430326000000015); a microsecond is far below anything measured, and the files get much smaller.
 */
export function roundRecordTimes(r: RequestRecord): RequestRecord {
  r.t_sched = round(r.t_sched);
  r.t_send = round(r.t_send);
  if (r.t_written !== undefined) r.t_written = round(r.t_written);
  if (r.t_headers !== null) r.t_headers = round(r.t_headers);
  r.t_end = round(r.t_end);
  for (const c of r.chunks) c.t = round(c.t);
  return r;
}
