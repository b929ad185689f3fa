import { compareRuns } from '../../compare/compare-runs.js';
import { toLoadedRun } from '../../compare/loaded-run.js';
import type { MetricComparison } from '../../compare/types.js';
import type { RequestRecord } from '../../measure/record.js';
import { buildResults } from '../../results/results-document.js';
import { summarize } from '../../stats/summary.js';
import type { RegressionConfig } from '../config/monitor-config.js';
import type { MonitorStore } from '../store/monitor-store.js';

/** Most baseline probes read (the newest); the bootstrap needs no more. */
const MAX_BASELINE = 2000;

/**
 * Whether a series got worse: the successful probes of the last `windowMs` against those of the `baselineMs` before,
 * with `inferscope compare`'s method (bootstrap intervals of the relative change, a practical threshold), so an alert
 * needs a change both beyond the noise and larger than `thresholdPct`. Null when either side has too few probes.
 */
export function regressionCheck(store: MonitorStore, series: { target: string; probe: string; location: string }, nowMs: number, cfg: RegressionConfig): { regressed: MetricComparison[]; window: number; baseline: number } | null {
  const records = (since: number, until: number, limit?: number): RequestRecord[] =>
    store
      .probes({ ...series, sinceMs: since, untilMs: until, ...(limit ? { limit } : {}) })
      .filter((p) => p.ok)
      .flatMap((p) => {
        const r = store.record(p.id);
        return r ? [r] : [];
      });
  const windowStart = nowMs - cfg.windowMs;
  const current = records(windowStart, nowMs);
  const base = records(windowStart - cfg.baselineMs, windowStart - 1, MAX_BASELINE);
  if (current.length < cfg.minProbes || base.length < cfg.minProbes) return null;
  // Probe records carry wall-clock anchors of their own probes; each side is summarized as a run of its own.
  const run = (label: string, rs: RequestRecord[]) =>
    toLoadedRun({
      label,
      results: buildResults({ id: label, startedAt: new Date(windowStart), endedAt: new Date(nowMs), config: null, target: { url: series.target, model: '', api: 'chat' }, summary: summarize(rs) }),
      records: rs,
    });
  const report = compareRuns(run('baseline', base), run('window', current), {
    thresholdPct: Object.fromEntries(cfg.metrics.map((m) => [m, cfg.thresholdPct])),
    minChangePct: cfg.thresholdPct,
    resamples: 400,
    seed: 1,
  });
  const wanted = new Set(cfg.metrics);
  return { regressed: report.metrics.filter((m) => wanted.has(m.metric) && m.verdict === 'regressed'), window: current.length, baseline: base.length };
}
