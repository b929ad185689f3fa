/**
 * The client's sending over the measured requests, folded in as they finish: what fidelity judges when a run keeps
 * no records (bench --records sample:R|none). Schedule-lag percentiles come from an HDR histogram (within 0.1%).
 */
import type { RequestRecord } from '../measure/record.js';
import type { LagSummary } from '../measure/fidelity.js';
import { HdrDistribution } from '../stats/hdr-distribution.js';

export interface SendFigures {
  schedule_lag_ms: LagSummary;
  /** (n - 1) / span of the send times, req/s (0 with fewer than two). */
  achieved_rate: number;
  /** The same over the scheduled times; null with fewer than two. */
  scheduled_rate: number | null;
  late_requests: number;
}

export class SendStats {
  private readonly lags = new HdrDistribution();
  private n = 0;
  private late = 0;
  private send = { min: Infinity, max: -Infinity };
  private sched = { min: Infinity, max: -Infinity };

  constructor(private readonly lateAfterMs: number) {}

  add(r: RequestRecord): void {
    if (r.warmup) return;
    this.n++;
    const lag = r.t_send - r.t_sched;
    this.lags.add(lag);
    if (lag > this.lateAfterMs) this.late++;
    this.send = { min: Math.min(this.send.min, r.t_send), max: Math.max(this.send.max, r.t_send) };
    this.sched = { min: Math.min(this.sched.min, r.t_sched), max: Math.max(this.sched.max, r.t_sched) };
  }

  figures(): SendFigures {
    const d = this.lags.describe();
    const rate = (span: { min: number; max: number }): number | null => (this.n >= 2 && span.max > span.min ? ((this.n - 1) * 1000) / (span.max - span.min) : null);
    return {
      schedule_lag_ms: d.count > 0 ? { p50: d.p50!, p99: d.p99!, max: d.max! } : { p50: 0, p99: 0, max: 0 },
      achieved_rate: rate(this.send) ?? 0,
      scheduled_rate: rate(this.sched),
      late_requests: this.late,
    };
  }
}
