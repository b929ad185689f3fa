/**
 * Chart data for the sweep report: each chart is a set of labelled series over one shared, ascending x array
 * (uPlot's layout), with null where a series has no point, so several sweeps overlay on one chart.
 */
import { paretoFront } from '../../sweep/pareto.js';
import { perUserSpeed, type SweepDocument, type SweepStep } from '../../sweep/sweep-document.js';

export interface ReportSweep {
  label: string;
  sweep: SweepDocument;
  /** What a simulation predicted at the sweep's loads (inferscope simulate --check SWEEP --html), drawn beside the measured. */
  predicted?: ReadonlyArray<{ load: number; ttft_p50_ms: number | null; tpot_p50_ms: number | null; output_tokens_per_s: number | null }>;
}

export interface XYSeries {
  label: string;
  /** Index of the sweep (its colour); -1 for the frontier across all sweeps. */
  sweep: number;
  /** Drawn as points only (no line). */
  points?: boolean;
  /** A simulated series (drawn hollow and dash-dotted). */
  predicted?: boolean;
  y: Array<number | null>;
}

export interface XYChart {
  x: number[];
  xLabel: string;
  yLabel: string;
  /** Log-scaled x (loads spaced geometrically). */
  logX?: boolean;
  series: XYSeries[];
  /** Vertical markers, e.g. the capacity answer. */
  markers?: Array<{ x: number; label: string; sweep: number }>;
}

export interface SweepPageData {
  labels: string[];
  charts: Record<string, XYChart>;
}

const loadOf = (s: SweepStep): number => ('concurrency' in s.load ? s.load.concurrency : s.load.rate);
const completed = (s: SweepStep): boolean => s.status === 'completed';

/**
 * Every chart of the page, for one or more sweeps. Frontiers are computed over completed steps of all sweeps
 * together (the trade-off a user chooses from), with the same pure function as `sweep.json`'s `pareto`.
 *
 * @example sweepPageData([{ label: 'vllm', sweep }]).charts.latency_vs_throughput
 */
export function sweepPageData(sweeps: readonly ReportSweep[]): SweepPageData {
  const axisKinds = new Set(sweeps.map((s) => s.sweep.axis.kind));
  const loadLabel = axisKinds.size === 1 && axisKinds.has('rate') ? 'offered rate (req/s)' : axisKinds.size === 1 ? 'concurrency' : 'load';
  type Predicted = NonNullable<ReportSweep['predicted']>[number];
  const vsLoad = (yLabel: string, pick: Array<{ name: string; y: (s: SweepStep) => number | null; predicted?: (p: Predicted) => number | null }>): XYChart => {
    const series: Array<{ label: string; sweep: number; points: Array<[number, number | null]>; predicted?: boolean }> = [];
    sweeps.forEach((sw, i) => {
      const prefix = sweeps.length > 1 ? `${sw.label}: ` : '';
      for (const p of pick) {
        series.push({ label: `${prefix}${p.name}`, sweep: i, points: sw.sweep.steps.filter(completed).map((s): [number, number | null] => [loadOf(s), p.y(s)]).sort((a, b) => a[0] - b[0]) });
      }
      for (const p of pick) {
        const y = p.predicted;
        if (y && sw.predicted) series.push({ label: `${prefix}${p.name} predicted`, sweep: i, predicted: true, points: sw.predicted.map((q): [number, number | null] => [q.load, y(q)]).sort((a, b) => a[0] - b[0]) });
      }
    });
    return { ...align(series), xLabel: loadLabel, yLabel, logX: true };
  };
  const tradeoff = (yLabel: string, y: (s: SweepStep) => number | null, better: 'min' | 'max'): XYChart => {
    const all = sweeps.flatMap((sw) => sw.sweep.steps.filter(completed).map((s) => ({ x: s.summary.throughput.output_tokens_per_s, y: y(s) })));
    const front = paretoFront(all, better)
      .map((i) => all[i]!)
      .filter((p): p is { x: number; y: number } => p.x !== null && p.y !== null)
      .sort((a, b) => a.x - b.x);
    const series = sweeps.map((sw, i) => ({
      label: sw.label,
      sweep: i,
      points: sw.sweep.steps.filter(completed).map((s) => [s.summary.throughput.output_tokens_per_s, y(s)] as [number | null, number | null]),
    }));
    const chart = align([...series, { label: 'Pareto frontier', sweep: -1, points: front.map((p) => [p.x, p.y] as [number, number]) }]);
    return { ...chart, xLabel: 'output tokens/s', yLabel };
  };
  const markers = sweeps.flatMap((sw, i) => {
    const c = sw.sweep.capacity;
    const value = c ? (c.requests_per_s ?? c.concurrency ?? null) : null;
    return value === null ? [] : [{ x: value, label: `${sw.label}: capacity ${value}`, sweep: i }];
  });
  const ttft = vsLoad('TTFT (ms)', [
    { name: 'TTFT p50', y: (s) => s.summary.ttft_ms.p50, predicted: (q) => q.ttft_p50_ms },
    { name: 'TTFT p99', y: (s) => s.summary.ttft_ms.p99 },
  ]);
  return {
    labels: sweeps.map((s) => s.label),
    charts: {
      latency_vs_throughput: tradeoff('E2E p99 (ms)', (s) => s.summary.e2e_ms.p99, 'min'),
      speed_vs_throughput: tradeoff('tok/s per user', perUserSpeed, 'max'),
      ttft_vs_load: { ...ttft, markers },
      tpot_vs_load: vsLoad('TPOT (ms)', [
        { name: 'TPOT p50', y: (s) => s.summary.tpot_ms.p50, predicted: (q) => q.tpot_p50_ms },
        { name: 'TPOT p99', y: (s) => s.summary.tpot_ms.p99 },
      ]),
      goodput_vs_load: {
        ...vsLoad('requests/s', [
          { name: 'served', y: (s) => s.summary.throughput.requests_per_s },
          { name: 'good (met the SLO)', y: (s) => (s.summary.goodput.slo ? s.summary.goodput.requests_per_s : null) },
        ]),
        markers,
      },
      server_vs_load: vsLoad('requests / KV %', [
        { name: 'running', y: (s) => s.server?.requests_running?.mean ?? null },
        { name: 'waiting', y: (s) => s.server?.requests_waiting?.mean ?? null },
        { name: 'KV cache %', y: (s) => (s.server?.kv_cache_usage ? 100 * s.server.kv_cache_usage.max : null) },
      ]),
    },
  };
}

/** Puts every series on the union of their x values (ascending); a missing point is null. */
function align(series: Array<{ label: string; sweep: number; points: Array<[number | null, number | null]>; predicted?: boolean }>): Pick<XYChart, 'x' | 'series'> {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0]).filter((x): x is number => x !== null && Number.isFinite(x))))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  return {
    x: xs,
    series: series
      .filter((s) => s.points.some((p) => p[1] !== null))
      .map((s) => {
        const y: Array<number | null> = xs.map(() => null);
        for (const [x, v] of s.points) if (x !== null && v !== null && Number.isFinite(v)) y[at.get(x)!] = v;
        return { label: s.label, sweep: s.sweep, y, ...(s.predicted ? { predicted: true } : {}) };
      }),
  };
}
