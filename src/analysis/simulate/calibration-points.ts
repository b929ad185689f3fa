import type { RequestRecord } from '../../measure/record.js';
import { outputTokens, tpotMs, ttftMs } from '../../stats/request-metrics.js';

/** A request of a calibration run, with the load it saw. */
export interface CalibrationPoint {
  input_tokens: number;
  output_tokens: number;
  ttft_ms: number;
  tpot_ms: number | null;
  /** Time-weighted number of requests decoding beside it (itself included) while it decoded. */
  batch: number;
  /** Prompt tokens other requests prefilled while it decoded, per token of its own. */
  stall_tokens_per_token: number;
  /** Those prefills: when each ended (its first token), ms after this request's first token, and its prompt tokens. */
  stalls: Array<[number, number]>;
  /** Requests decoding when it was sent. */
  decoding_at_send: number;
  /** Requests the server held (queued or running) when it was sent, itself left out. */
  held_at_send: number;
  /**
   * Sent with all `maxSeqs` places taken: ms from the end that freed its place (first come, first served: the one
   * after those queued ahead of it) to its first token; null otherwise.
   */
  after_place_ms: number | null;
}

/**
 * Per-request load figures of one run's succeeded requests (pairwise over the run: O(n^2), fine for calibration
 * sizes); `maxSeqs`, the server's places, when known.
 */
export function calibrationPoints(ok: readonly RequestRecord[], maxSeqs: number | null = null): CalibrationPoint[] {
  const rs = ok.flatMap((r) => {
    const ttft = ttftMs(r);
    const first = r.chunks[0]?.t;
    const last = r.chunks.at(-1)?.t;
    const P = r.input_tokens ?? r.requested_input_tokens ?? null;
    return ttft !== null && first !== undefined && last !== undefined && P !== null ? [{ r, ttft, first, last, P, O: outputTokens(r).count }] : [];
  });
  return rs.map((x) => {
    const span = x.last - x.first;
    let overlap = 0;
    const stalls: Array<[number, number]> = [];
    let decodingAtSend = 0;
    let held = 0;
    const endsAfterSend: number[] = [];
    for (const y of rs) {
      if (span > 0) overlap += Math.max(0, Math.min(x.last, y.last) - Math.max(x.first, y.first));
      if (y === x) continue;
      if (y.first > x.first && y.first <= x.last) stalls.push([y.first - x.first, y.P]);
      if (y.first <= x.r.t_send && y.last > x.r.t_send) decodingAtSend++;
      if (y.r.t_send <= x.r.t_send && y.r.t_end > x.r.t_send) held++;
      if (y.r.t_end > x.r.t_send) endsAfterSend.push(y.r.t_end);
    }
    const freed = maxSeqs !== null && held >= maxSeqs ? endsAfterSend.sort((a, b) => a - b)[held - maxSeqs] : undefined;
    return {
      input_tokens: x.P,
      output_tokens: x.O,
      ttft_ms: x.ttft,
      tpot_ms: tpotMs(x.r),
      batch: span > 0 ? overlap / span : 1,
      stall_tokens_per_token: x.O > 1 ? stalls.reduce((s, [, tokens]) => s + tokens, 0) / (x.O - 1) : 0,
      stalls,
      decoding_at_send: decodingAtSend,
      held_at_send: held,
      after_place_ms: freed !== undefined && freed <= x.first ? x.first - freed : null,
    };
  });
}

/** Closed loop: for each request, the time from its end to the next send after it (its user's next request). */
export function turnarounds(records: readonly RequestRecord[]): number[] {
  const sends = Float64Array.from(records.map((r) => r.t_send)).sort();
  const out: number[] = [];
  for (const r of records) {
    let lo = 0;
    let hi = sends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sends[mid]! < r.t_end) lo = mid + 1;
      else hi = mid;
    }
    if (lo < sends.length) out.push(sends[lo]! - r.t_end);
  }
  return out;
}
