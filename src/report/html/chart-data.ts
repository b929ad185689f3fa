/** The data every chart of the page draws, computed in TS from the raw records (the page only plots it). */
import type { RooflineView } from '../../analysis/roofline-view.js';
import type { RequestRecord } from '../../measure/record.js';
import type { ResultsDocument } from '../../results/results-document.js';
import { distributionData, type DistributionData } from './distribution-chart.js';
import { LATENCY_METRICS, latencySamples, measuredRecords, type LatencyMetric } from './samples.js';
import { scatterData, type ScatterData } from './scatter.js';
import { serverSeries, type ServerSeriesData } from './server-series.js';
import { concurrencySeries, throughputSeries, type ConcurrencyData, type ThroughputData } from './time-series.js';

/** One run to report: its results document and its raw per-request records (warm-up included or not). */
export interface ReportRun {
  /** Shown in headings and legends (untrusted: escaped everywhere). */
  label: string;
  results: ResultsDocument;
  records: readonly RequestRecord[];
  /** The run against its GPU's roofs, when model and GPU are known (report --model --gpu). */
  roofline?: RooflineView | null;
}

/** The roofline chart: the roof sampled on a log grid of intensities, and the run's points. */
export interface RooflineChart {
  x: number[];
  roof: number[];
  points: Array<{ label: string; y: Array<number | null> }>;
  gpu: string;
  model: string;
}

export interface RunCharts {
  label: string;
  /** Measured requests drawn (warm-up and out-of-window requests left out). */
  requests: number;
  distributions: Record<LatencyMetric, DistributionData | null>;
  scatter: ScatterData | null;
  throughput: ThroughputData | null;
  concurrency: ConcurrencyData | null;
  server: ServerSeriesData[];
  /** SLO limits given for the run (ms), drawn as lines on the matching latency charts. */
  slo: Partial<Record<LatencyMetric, number>>;
  roofline?: RooflineChart;
}

/** Roof = min(compute, bandwidth x intensity) on a log grid from 0.1 to 10^5 FLOP/byte, plus the points' own x. */
export function rooflineChart(v: RooflineView): RooflineChart {
  const grid: number[] = [];
  for (let e = -1; e <= 5; e += 0.125) grid.push(10 ** e);
  const x = [...new Set([...grid, ...v.points.map((p) => p.intensity)])].filter((n) => Number.isFinite(n) && n > 0).sort((a, b) => a - b);
  return {
    x,
    roof: x.map((i) => Math.min(v.peak_tflops, v.bandwidth_tbs * i)),
    points: v.points.map((p) => ({ label: p.label, y: x.map((i) => (i === p.intensity ? p.tflops : null)) })),
    gpu: v.gpu,
    model: v.model,
  };
}

/** Series of several runs on one shared x axis (null where a run has no point). */
export interface OverlayData {
  x: number[];
  ys: Array<Array<number | null>>;
}

export interface PageData {
  labels: string[];
  runs: RunCharts[];
  /** Present with two or more runs. */
  overlay?: { cdf: Record<LatencyMetric, OverlayData | null>; throughput: OverlayData | null };
}

/** Chart data of one run. Distributions are exact over all samples; only the scatter is thinned. */
export function runCharts(run: ReportRun): RunCharts {
  const { records, originMs } = measuredRecords(run.records, run.results);
  const samples = latencySamples(records);
  const distributions = {} as Record<LatencyMetric, DistributionData | null>;
  for (const m of LATENCY_METRICS) distributions[m] = distributionData(samples[m]);
  return {
    label: run.label,
    requests: records.length,
    distributions,
    scatter: scatterData(records, originMs),
    throughput: throughputSeries(records, originMs),
    concurrency: concurrencySeries(records, originMs),
    server: serverSeries(run.results.server, originMs),
    slo: sloLines(run.results),
    ...(run.roofline ? { roofline: rooflineChart(run.roofline) } : {}),
  };
}

/** The run's SLO (summary.goodput.slo) as limits per latency chart. */
function sloLines(results: ReportRun['results']): Partial<Record<LatencyMetric, number>> {
  const slo = (results.summary as { goodput?: { slo?: Record<string, unknown> | null } } | undefined)?.goodput?.slo;
  const out: Partial<Record<LatencyMetric, number>> = {};
  if (!slo) return out;
  for (const m of LATENCY_METRICS) {
    const v = slo[`${m}_ms`];
    if (typeof v === 'number' && Number.isFinite(v)) out[m] = v;
  }
  return out;
}

/** Everything the page script needs, for all runs (with overlays when there are two or more). */
export function pageData(runs: readonly ReportRun[]): PageData {
  const charts = runs.map(runCharts);
  const data: PageData = { labels: runs.map((r) => r.label), runs: charts };
  if (charts.length >= 2) {
    const cdf = {} as Record<LatencyMetric, OverlayData | null>;
    for (const m of LATENCY_METRICS) {
      cdf[m] = overlay(charts.map((c) => (c.distributions[m] ? { x: c.distributions[m].cdf.x, y: c.distributions[m].cdf.y } : null)));
    }
    data.overlay = { cdf, throughput: overlay(charts.map((c) => c.throughput)) };
  }
  return data;
}

/** Merges per-run (x, y) series onto the union of their x values. Null when no run has any point. */
export function overlay(series: ReadonlyArray<{ x: readonly number[]; y: readonly number[] } | null>): OverlayData | null {
  const xs = new Set<number>();
  for (const s of series) if (s) for (const x of s.x) xs.add(x);
  if (xs.size === 0) return null;
  const x = Float64Array.from(xs).sort();
  const index = new Map<number, number>();
  x.forEach((v, i) => index.set(v, i));
  const ys = series.map((s) => {
    const col = new Array<number | null>(x.length).fill(null);
    if (s) s.x.forEach((v, i) => (col[index.get(v)!] = s.y[i]!));
    return col;
  });
  return { x: Array.from(x), ys };
}
