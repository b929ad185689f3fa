/**
 * compareRuns: a candidate run against a baseline, metric by metric, with an interval and a verdict each.
 * Pure: the runs come in loaded (see load-run.ts), the report goes out as data (see format.ts).
 */
import type { Slo } from '../config/slo.js';
import { isEmptySlo } from '../config/slo.js';
import type { Distribution } from '../stats/percentiles.js';
import { forkRng } from '../util/rng.js';
import { blockBootstrapSums, percentileInterval, relativeDifferences } from './bootstrap.js';
import { fairnessWarnings } from './fairness.js';
import { LATENCY_FAMILIES, LATENCY_QUANTILES, LATENCY_STATS, METRICS, type MetricDef } from './metrics.js';
import { newcombeDifference, zForConfidence } from './proportions.js';
import { outputConsistency } from './consistency.js';
import {
  countGood,
  latencyPoint,
  latencyReplicates,
  runSamples,
  throughputSeries,
  totalOutputTokens,
  type LatencyReplicates,
  type RunSamples,
} from './run-samples.js';
import { bucketBlockLength, clientLag, latencyBlockLength, medianDecodeSteps, medianGaps } from './noise.js';
import { thresholdFor } from './thresholds.js';
import type { CiMethod, CompareOptions, CompareReport, ConfidenceInterval, LoadedRun, MetricComparison } from './types.js';
import { verdictFor } from './verdict.js';

const DEFAULTS = { confidence: 0.95, resamples: 1000, seed: 1, minChangePct: 5, maxBootstrapRequests: 20_000, maxBootstrapGaps: 50_000 };
/** Bootstrap intervals are dropped when the statistic was undefined in more resamples than this. */
const MAX_UNDEFINED_SHARE = 0.01;
/** Requests needed beyond a quantile (in each run) before it gets an interval: p90 needs 100, p99 1,000. */
const MIN_TAIL_REQUESTS = 10;
/** Throughput intervals need at least this many time buckets. */
const MIN_BUCKETS = 10;

interface Side {
  run: LoadedRun;
  samples: RunSamples | null;
}

/**
 * Compares `candidate` with `base`. Latency statistics get percentile-bootstrap intervals of the relative
 * difference (ITL: cluster bootstrap by request), throughputs a block bootstrap over time buckets, error
 * rate and goodput attainment Newcombe's interval for a difference of proportions. See `method` in the
 * report for the sentences, and verdict.ts for the rule.
 *
 * @example const report = compareRuns(await loadRun('base/'), await loadRun('cand/'), { minChangePct: 5 });
 */
export function compareRuns(base: LoadedRun, candidate: LoadedRun, options: CompareOptions = {}): CompareReport {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  if (!(o.confidence > 0 && o.confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${o.confidence}`);
  if (!(Number.isInteger(o.resamples) && o.resamples >= 100)) throw new RangeError(`resamples must be an integer >= 100, got ${o.resamples}`);
  const per = options.thresholdPct ?? {};
  const b: Side = { run: base, samples: base.records ? runSamples(base.records, base.results.summary) : null };
  const c: Side = { run: candidate, samples: candidate.records ? runSamples(candidate.records, candidate.results.summary) : null };
  const notes: string[] = [...(base.notes ?? []), ...(candidate.notes ?? [])];
  for (const side of [b, c]) {
    if (!side.samples) {
      notes.push(`${side.run.label}: no per-request records (requests.jsonl), so latency and throughput have no interval (n/a)`);
    }
  }

  const metrics: MetricComparison[] = [];
  const make = (
    def: MetricDef,
    bv: number | null,
    cv: number | null,
    ci: ConfidenceInterval | null,
    counts: [number, number],
    note?: string,
    noiseFloorMs?: number,
  ) => {
    const threshold = thresholdFor(def.key, per, o.minChangePct);
    const change = bv === null || cv === null ? null : bv === 0 ? (cv === 0 ? 0 : null) : (cv / bv - 1) * 100;
    const usable = bv !== null && cv !== null ? ci : null;
    const noise = noiseFloorMs !== undefined && bv !== null && cv !== null ? { absoluteChange: cv - bv, floor: noiseFloorMs } : undefined;
    const v = verdictFor(def, change, usable, threshold, noise);
    const m: MetricComparison = {
      metric: def.key,
      label: def.label,
      unit: def.unit,
      better: def.better,
      base: bv,
      candidate: cv,
      change_pct: change,
      ci: usable,
      threshold_pct: threshold,
      ...(noiseFloorMs !== undefined ? { noise_floor_ms: noiseFloorMs } : {}),
      verdict: v.verdict,
      samples: { base: counts[0], candidate: counts[1] },
    };
    const why = bv === null || cv === null ? `missing in the ${bv === null ? 'base' : 'candidate'} run` : (note ?? v.note);
    if (why) m.note = why;
    metrics.push(m);
  };

  // Latency.
  let bReps: LatencyReplicates | null = null;
  let cReps: LatencyReplicates | null = null;
  if (b.samples && c.samples) {
    const opts = { resamples: o.resamples, maxRequests: o.maxBootstrapRequests, maxGaps: o.maxBootstrapGaps };
    bReps = latencyReplicates(b.samples.succeeded, { ...opts, blockLength: latencyBlockLength(b.samples), rng: forkRng(o.seed, 'compare/base/latency') });
    cReps = latencyReplicates(c.samples.succeeded, { ...opts, blockLength: latencyBlockLength(c.samples), rng: forkRng(o.seed, 'compare/candidate/latency') });
    for (const [label, side, reps] of [[base.label, b, bReps], [candidate.label, c, cReps]] as const) {
      const n = side.samples!.succeeded.length;
      if (reps.requestsUsed < n || reps.itlRequestsUsed < n) {
        notes.push(
          `${label}: intervals from a random subset of ${reps.requestsUsed} of ${n} requests ` +
            `(ITL: ${reps.itlRequestsUsed} requests, ${reps.itlGapsUsed} gaps); point values use all`,
        );
      }
    }
  }
  const lag = clientLag(base, candidate);
  const decodeSteps = Math.min(medianDecodeSteps(b.samples), medianDecodeSteps(c.samples));
  const gaps = Math.min(medianGaps(b.samples), medianGaps(c.samples));
  for (const family of LATENCY_FAMILIES) {
    const bp = b.samples ? latencyPoint(b.samples.succeeded, family) : summaryPoint(base.results.summary[`${family}_ms`]);
    const cp = c.samples ? latencyPoint(c.samples.succeeded, family) : summaryPoint(candidate.results.summary[`${family}_ms`]);
    const method: CiMethod = family === 'itl' ? 'cluster_bootstrap' : 'bootstrap';
    LATENCY_STATS.forEach((stat, k) => {
      const def = METRICS.find((m) => m.key === `${family}_${stat}`)!;
      let ci: ConfidenceInterval | null = null;
      let note: string | undefined;
      // An interval for quantile q needs enough requests beyond it in both runs (ITL: requests, not gaps).
      const q = stat === 'mean' ? 0.5 : (LATENCY_QUANTILES[k - 1] as number);
      const needed = Math.ceil(MIN_TAIL_REQUESTS / (1 - q));
      if (bReps && cReps && Math.min(bp.units, cp.units) < needed) {
        note = `needs >= ${needed} requests with ${family === 'itl' || family === 'e2e' ? 'an' : 'a'} ${family.toUpperCase()} in each run (${MIN_TAIL_REQUESTS} beyond ${stat}); has ${bp.units} and ${cp.units}`;
      } else if (bReps && cReps) {
        const interval = percentileInterval(relativeDifferences(bReps.replicates[family][k]!, cReps.replicates[family][k]!), o.confidence);
        if (interval && interval.undefinedShare <= MAX_UNDEFINED_SHARE) {
          ci = { low: interval.low * 100, high: interval.high * 100, scale: 'relative_pct', method };
        } else {
          note = 'too few samples for an interval';
        }
      }
      // Each timestamp may be late by the event-loop delay; TPOT spreads two of them over its decode steps, and the
      // ITL mean over a request's gaps (they telescope: its gaps sum to last chunk - first chunk).
      const level = stat === 'mean' || stat === 'p50' ? lag?.mean : lag?.p99;
      const spread = family === 'tpot' ? decodeSteps : family === 'itl' && stat === 'mean' ? gaps : 1;
      const floor = level === undefined ? undefined : level / spread;
      make(def, bp.stats?.[k] ?? null, cp.stats?.[k] ?? null, ci, [bp.count, cp.count], note, floor);
    });
  }

  // Throughput.
  for (const key of ['requests_per_s', 'output_tokens_per_s'] as const) {
    const def = METRICS.find((m) => m.key === key)!;
    const bt = throughputOf(b, key);
    const ct = throughputOf(c, key);
    let ci: ConfidenceInterval | null = null;
    let note: string | undefined;
    if (bt.series && ct.series && bt.value !== null && ct.value !== null) {
      if (bt.series.length < MIN_BUCKETS || ct.series.length < MIN_BUCKETS) {
        note = `fewer than ${MIN_BUCKETS} time buckets`;
      } else {
        const reps = (v: number, series: Float64Array, side: string): Float64Array => {
          const total = series.reduce((s, x) => s + x, 0);
          const sums = blockBootstrapSums(series, bucketBlockLength(series.length), o.resamples, forkRng(o.seed, `compare/${side}/${key}`));
          // Scale resampled totals to the point value's definition (N per request, the summary's window).
          return sums.map((s) => (total > 0 ? (s / total) * v : Number.NaN));
        };
        const interval = percentileInterval(relativeDifferences(reps(bt.value, bt.series, 'base'), reps(ct.value, ct.series, 'candidate')), o.confidence);
        if (interval && interval.undefinedShare <= MAX_UNDEFINED_SHARE) {
          ci = { low: interval.low * 100, high: interval.high * 100, scale: 'relative_pct', method: 'block_bootstrap' };
        } else {
          note = 'no output in one run';
        }
      }
    }
    make(def, bt.value, ct.value, ci, [bt.series?.length ?? 0, ct.series?.length ?? 0], note);
  }

  // Error rate.
  {
    const def = METRICS.find((m) => m.key === 'error_rate')!;
    const bc = errorCounts(b);
    const cc = errorCounts(c);
    proportion(def, bc, cc);
  }
  // Goodput attainment, under one SLO for both runs.
  {
    const def = METRICS.find((m) => m.key === 'goodput_attainment')!;
    const slo = chooseSlo(base, candidate);
    if (!slo) {
      make(def, null, null, null, [0, 0]);
      metrics[metrics.length - 1]!.note = 'no SLO in either run';
    } else {
      const tpotNaIsGood = base.results.summary.goodput?.tpot_na_is_good ?? candidate.results.summary.goodput?.tpot_na_is_good ?? false;
      proportion(def, goodCounts(b, slo, tpotNaIsGood), goodCounts(c, slo, tpotNaIsGood));
    }
  }

  // Answer quality, when either run was scored against references: exact match as a proportion, F1 and ROUGE-L
  // as means (Welch's normal interval of the difference, in points of the 0-1 score x 100).
  const bq = base.results.summary.quality;
  const cq = candidate.results.summary.quality;
  if (bq || cq) {
    const em = (q: typeof bq): { x: number; n: number } | null => (q ? { x: Math.round(q.exact_match.mean * q.requests), n: q.requests } : null);
    proportion(METRICS.find((m) => m.key === 'exact_match')!, em(bq), em(cq));
    for (const key of ['f1', 'rouge_l'] as const) {
      const def = METRICS.find((m) => m.key === key)!;
      const b1 = bq?.[key];
      const c1 = cq?.[key];
      let ci: ConfidenceInterval | null = null;
      if (bq && cq && b1 && c1 && bq.requests > 1 && cq.requests > 1) {
        const d = c1.mean - b1.mean;
        const se = Math.sqrt(b1.stddev ** 2 / bq.requests + c1.stddev ** 2 / cq.requests);
        const z = zForConfidence(o.confidence);
        ci = { low: (d - z * se) * 100, high: (d + z * se) * 100, scale: 'absolute_pp', method: 'welch' };
      }
      make(def, b1?.mean ?? null, c1?.mean ?? null, ci, [bq?.requests ?? 0, cq?.requests ?? 0]);
    }
  }

  function proportion(def: MetricDef, bc: { x: number; n: number } | null, cc: { x: number; n: number } | null): void {
    let ci: ConfidenceInterval | null = null;
    if (bc && cc && bc.n > 0 && cc.n > 0) {
      const d = newcombeDifference(bc, cc, o.confidence);
      ci = { low: d.low * 100, high: d.high * 100, scale: 'absolute_pp', method: 'newcombe' };
    }
    const bv = bc && bc.n > 0 ? bc.x / bc.n : null;
    const cv = cc && cc.n > 0 ? cc.x / cc.n : null;
    make(def, bv, cv, ci, [bc?.n ?? 0, cc?.n ?? 0], bv === 0 && cv !== null && cv > 0 ? 'base is 0: relative change unbounded' : undefined);
  }

  const consistency = base.records && candidate.records ? outputConsistency(base.records, candidate.records) : null;
  if (consistency && (base.results.config as { reusePrompts?: unknown } | undefined)?.reusePrompts !== true) {
    notes.push('answers are paired by request index, but without --reuse-prompts each run opens its prompts with its own nonce, so the prompts differed');
  }
  return {
    ...(consistency ? { consistency } : {}),
    base: refOf(base),
    candidate: refOf(candidate),
    confidence: o.confidence,
    resamples: o.resamples,
    seed: o.seed,
    metrics,
    regressed: metrics.filter((m) => m.verdict === 'regressed').map((m) => m.metric),
    improved: metrics.filter((m) => m.verdict === 'improved').map((m) => m.metric),
    warnings: fairnessWarnings(base.results, candidate.results),
    method: methodSentences(o.confidence, o.resamples, o.minChangePct, per),
    notes,
  };
}

/** Sentences stating how the intervals and verdicts were computed. */
export function methodSentences(confidence: number, resamples: number, minChangePct: number, per: Record<string, number>): string[] {
  const level = `${round(confidence * 100)}%`;
  const custom = Object.entries(per).map(([k, v]) => `${k} ${v}%`).join(', ');
  return [
    `TTFT, TPOT, E2E: ${level} percentile-bootstrap interval of candidate/base - 1 from ${resamples} resamples of each run drawn ` +
      'independently; requests are drawn in blocks of consecutive sends about the mean concurrency long, since requests in flight together are not independent.',
    'ITL: the same as a cluster bootstrap: requests are resampled with all their gaps, since gaps within a request are correlated.',
    `p90 and p99 get an interval only with >= ${MIN_TAIL_REQUESTS} requests beyond them in each run (p90: 100 requests, p99: 1,000).`,
    'Throughput: circular block bootstrap of completions and output tokens per time bucket (1 s, or window/20 under 20 s; blocks of ~n^(1/3) buckets).',
    `Error rate, goodput attainment and exact match: Newcombe hybrid score (Wilson) ${level} interval of the difference in proportions, in percentage points.`,
    `Answer F1 and ROUGE-L (0-1 scores against dataset references): Welch's normal ${level} interval of the difference of means, in points x 100.`,
    `A change is called only when the interval excludes 0 and |change| exceeds the threshold (${minChangePct}%${custom ? `; ${custom}` : ''}), ` +
      "and a latency change only when it also exceeds the client's timing noise (event-loop delay of either run: a bound on its mean for mean " +
      'and p50, its p99 for p90 and p99; for TPOT divided by the decode steps, for the ITL mean by the gaps per request).',
  ];
}

function throughputOf(side: Side, key: 'requests_per_s' | 'output_tokens_per_s'): { value: number | null; series: Float64Array | null } {
  const s = side.samples;
  if (!s) return { value: side.run.results.summary.throughput?.[key] ?? null, series: null };
  if (!(s.windowS > 0)) return { value: null, series: null };
  const series = throughputSeries(s.succeeded, s.window);
  const value = key === 'requests_per_s' ? s.succeeded.length / s.windowS : totalOutputTokens(s.succeeded) / s.windowS;
  return { value, series: series ? (key === 'requests_per_s' ? series.requests : series.outputTokens) : null };
}

function errorCounts(side: Side): { x: number; n: number } | null {
  if (side.samples) return { x: side.samples.measured.length - side.samples.succeeded.length, n: side.samples.measured.length };
  const r = side.run.results.summary.requests;
  return r && typeof r.total === 'number' && typeof r.failed === 'number' ? { x: r.failed, n: r.total } : null;
}

function goodCounts(side: Side, slo: Slo, tpotNaIsGood: boolean): { x: number; n: number } | null {
  if (side.samples) return { x: countGood(side.samples.measured, slo, tpotNaIsGood), n: side.samples.measured.length };
  const g = side.run.results.summary.goodput;
  const total = side.run.results.summary.requests?.total;
  // Without records the stored count is usable only when it was taken under the same SLO.
  if (g && g.good !== null && typeof total === 'number' && JSON.stringify(g.slo) === JSON.stringify(slo)) return { x: g.good, n: total };
  return null;
}

/** The base run's SLO, else the candidate's; null when neither set one. */
function chooseSlo(base: LoadedRun, candidate: LoadedRun): Slo | null {
  for (const run of [base, candidate]) {
    const slo = run.results.summary.goodput?.slo ?? null;
    if (!isEmptySlo(slo)) return slo;
  }
  return null;
}

function summaryPoint(d: Distribution | null | undefined): { stats: number[] | null; count: number; units: number } {
  if (!d || !d.count || d.mean === null) return { stats: null, count: 0, units: 0 };
  return { stats: [d.mean, d.p50 as number, d.p90 as number, d.p99 as number], count: d.count, units: d.count };
}

function refOf(run: LoadedRun): CompareReport['base'] {
  return { label: run.label, id: run.results.id, source: run.source, status: run.results.status };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
