import type { RequestRecord } from '../measure/record.js';
import { quantileSorted } from '../stats/percentiles.js';
import type { Fidelity, LagSummary } from '../measure/fidelity.js';

export type { LagSummary };
import type { LoadProfile } from './types.js';
import { selectMeasured } from '../measure/measured.js';
import type { SendFigures } from './send-stats.js';

/** When the load generator itself is judged too slow for the run to count. */
export interface FidelityThresholds {
  /** Open loops: schedule lag p99 above this (ms) marks the run invalid. */
  scheduleLagP99Ms: number;
  /** Open loops: achieved send rate below this fraction of the scheduled rate marks the run invalid. */
  minRateFraction: number;
  /** Event-loop delay p99 above this (ms) marks the run invalid. */
  eventLoopLagP99Ms: number;
  /** Client CPU above this fraction of one core marks the run invalid. */
  maxClientCpu: number;
}

export const DEFAULT_FIDELITY_THRESHOLDS: FidelityThresholds = {
  scheduleLagP99Ms: 50,
  minRateFraction: 0.9,
  eventLoopLagP99Ms: 100,
  maxClientCpu: 0.95,
};

/** Everything assessFidelity judges; all measured, nothing decided yet. */
export interface FidelityInputs {
  openLoop: boolean;
  schedule_lag_ms: LagSummary;
  event_loop_lag_ms: LagSummary;
  achieved_rate: number;
  target_rate: number | null;
  /**
   * Send rate the schedule asked for over the same requests, req/s. It accounts for a ramp-up and for the randomness
   * of the gaps, so achieved/scheduled measures only the client. Null when fewer than two requests were measured.
   */
  scheduled_rate: number | null;
  late_requests: number;
  client_cpu: number;
  /** maxConcurrency when at least one arrival waited for a free slot; null when the cap held nobody back. */
  capped_at: number | null;
}

/** Reading of the process while the measured phase ran (see fidelity-probe.ts). */
export interface ProbeReading {
  event_loop_lag_ms: LagSummary;
  /** CPU time of this process over wall time, fraction of one core. */
  client_cpu: number;
}

const ZERO_LAG: LagSummary = { p50: 0, p99: 0, max: 0 };

/** p50 / p99 / max of the values (zeros when empty). */
export function summarizeLag(values: readonly number[]): LagSummary {
  if (values.length === 0) return { ...ZERO_LAG };
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantileSorted(sorted, 0.5), p99: quantileSorted(sorted, 0.99), max: sorted[sorted.length - 1]! };
}

/**
 * Decides whether the run measured the server rather than the client, with a plain-sentence reason for each failed
 * check. Pure.
 *
 * @example
 * assessFidelity({ ...inputs, schedule_lag_ms: { p50: 3, p99: 230, max: 400 } }).invalid_reasons
 * // ['schedule lag p99 was 230 ms (limit 50 ms): the client fell behind the arrival schedule']
 */
export function assessFidelity(inputs: FidelityInputs, thresholds: FidelityThresholds = DEFAULT_FIDELITY_THRESHOLDS): Fidelity {
  const reasons: string[] = [];
  const capNote = inputs.capped_at === null ? null : `arrivals waited for one of the maxConcurrency ${inputs.capped_at} slots`;
  if (inputs.openLoop) {
    const lag = inputs.schedule_lag_ms.p99;
    if (lag > thresholds.scheduleLagP99Ms) {
      reasons.push(
        `schedule lag p99 was ${fmt(lag)} ms (limit ${fmt(thresholds.scheduleLagP99Ms)} ms): ` +
          (capNote ?? 'the client fell behind the arrival schedule'),
      );
    }
    if (inputs.scheduled_rate !== null && inputs.scheduled_rate > 0) {
      const fraction = inputs.achieved_rate / inputs.scheduled_rate;
      if (fraction < thresholds.minRateFraction) {
        const target = inputs.target_rate !== null ? ` (target ${fmt(inputs.target_rate)} req/s)` : '';
        reasons.push(
          `achieved rate was ${fmt(inputs.achieved_rate)} req/s, ${Math.round(fraction * 100)}% of the scheduled ` +
            `${fmt(inputs.scheduled_rate)} req/s${target} (limit ${Math.round(thresholds.minRateFraction * 100)}%): ` +
            (capNote ?? 'the client could not send as fast as the schedule asked'),
        );
      }
    }
  }
  if (inputs.event_loop_lag_ms.p99 > thresholds.eventLoopLagP99Ms) {
    reasons.push(
      `event-loop delay p99 was ${fmt(inputs.event_loop_lag_ms.p99)} ms (limit ${fmt(thresholds.eventLoopLagP99Ms)} ms): ` +
        'the client process was blocked, so its timestamps are late',
    );
  }
  if (inputs.client_cpu > thresholds.maxClientCpu) {
    reasons.push(
      `client CPU was ${inputs.client_cpu.toFixed(2)} of a core (limit ${thresholds.maxClientCpu.toFixed(2)}): ` +
        'the load generator was saturated',
    );
  }
  return {
    schedule_lag_ms: inputs.schedule_lag_ms,
    event_loop_lag_ms: inputs.event_loop_lag_ms,
    achieved_rate: inputs.achieved_rate,
    target_rate: inputs.target_rate,
    late_requests: inputs.late_requests,
    client_cpu: inputs.client_cpu,
    valid: reasons.length === 0,
    invalid_reasons: reasons,
  };
}

/**
 * Fidelity of a run from its measured records (warm-up excluded by the caller or here), the probe reading and
 * whether the concurrency cap held arrivals back.
 */
export function fidelityFromRecords(
  records: readonly RequestRecord[],
  profile: LoadProfile,
  probe: ProbeReading,
  cappedAt: number | null,
  thresholds: FidelityThresholds = DEFAULT_FIDELITY_THRESHOLDS,
): Fidelity {
  const measured = selectMeasured(records).inWindow;
  const lags = measured.map((r) => r.t_send - r.t_sched);
  const sends: SendFigures = {
    schedule_lag_ms: summarizeLag(lags),
    achieved_rate: spanRate(measured.map((r) => r.t_send)) ?? 0,
    scheduled_rate: spanRate(measured.map((r) => r.t_sched)),
    late_requests: lags.filter((lag) => lag > thresholds.scheduleLagP99Ms).length,
  };
  return fidelityFromSends(sends, profile, probe, cappedAt, thresholds);
}

/** Fidelity from the sending figures (exact from records, or folded in as requests finished: SendStats). */
export function fidelityFromSends(
  sends: SendFigures,
  profile: LoadProfile,
  probe: ProbeReading,
  cappedAt: number | null,
  thresholds: FidelityThresholds = DEFAULT_FIDELITY_THRESHOLDS,
): Fidelity {
  const openLoop = profile.kind === 'rate';
  return assessFidelity(
    {
      openLoop,
      schedule_lag_ms: sends.schedule_lag_ms,
      event_loop_lag_ms: probe.event_loop_lag_ms,
      achieved_rate: sends.achieved_rate,
      target_rate: openLoop ? profile.rate : null,
      scheduled_rate: openLoop ? sends.scheduled_rate : null,
      late_requests: sends.late_requests,
      client_cpu: probe.client_cpu,
      capped_at: cappedAt,
    },
    thresholds,
  );
}

/**
 * Requests per second between the first and the last of the times: (n - 1) / span, which is exact for evenly spaced
 * sends (100 sends 20 ms apart span 1980 ms: 50 req/s). Null with fewer than two times or a zero span.
 */
export function spanRate(timesMs: readonly number[]): number | null {
  if (timesMs.length < 2) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const t of timesMs) {
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const span = max - min;
  return span > 0 ? ((timesMs.length - 1) * 1000) / span : null;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}
