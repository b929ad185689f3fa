import { quantileSorted } from '../../stats/percentiles.js';
import type { ProbeRow } from '../store/monitor-store.js';

/** One step of a probe time series. Latency quantiles are over the step's successful probes, in ms. */
export interface SeriesPoint {
  /** Step start, wall-clock ms. */
  t: number;
  probes: number;
  errors: number;
  ttft: Quantiles | null;
  tpot: Quantiles | null;
  e2e: Quantiles | null;
}

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
}

/** Buckets probes into steps of `stepMs` from `sinceMs` (pure); empty steps are kept, with 0 probes. */
export function probeSeries(rows: readonly Pick<ProbeRow, 'wallMs' | 'ok' | 'ttftMs' | 'tpotMs' | 'e2eMs'>[], sinceMs: number, untilMs: number, stepMs: number): SeriesPoint[] {
  const n = Math.max(1, Math.ceil((untilMs - sinceMs) / stepMs));
  const steps = Array.from({ length: n }, () => ({ probes: 0, errors: 0, ttft: [] as number[], tpot: [] as number[], e2e: [] as number[] }));
  for (const r of rows) {
    const i = Math.floor((r.wallMs - sinceMs) / stepMs);
    const s = steps[i];
    if (!s) continue;
    s.probes++;
    if (!r.ok) {
      s.errors++;
      continue;
    }
    if (r.ttftMs !== null) s.ttft.push(r.ttftMs);
    if (r.tpotMs !== null) s.tpot.push(r.tpotMs);
    if (r.e2eMs !== null) s.e2e.push(r.e2eMs);
  }
  return steps.map((s, i) => ({ t: sinceMs + i * stepMs, probes: s.probes, errors: s.errors, ttft: quantiles(s.ttft), tpot: quantiles(s.tpot), e2e: quantiles(s.e2e) }));
}

function quantiles(values: number[]): Quantiles | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return { p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9), p99: quantileSorted(sorted, 0.99) };
}
