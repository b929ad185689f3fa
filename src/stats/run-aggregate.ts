/**
 * A run's figures kept without its records (`bench --records sample:R|none`): every measured request is folded in as
 * it finishes into HDR distributions, counters and 1-second bins, so memory does not grow with the run. Shards and
 * workers merge by adding aggregates. summarizeAggregate (aggregate-summary.ts) turns one into the summary.
 *
 * What it cannot give exactly, and how it stands in: the window is always the default one (first measured send to
 * last measured end); concurrency max is the largest 1-second average; peak tokens/s is over 1-second bins of the
 * run clock; the open-loop saturation trend is fitted on a uniform sample of 2048 requests.
 */
import type { ErrorClass, RequestRecord } from '../measure/record.js';
import { isCutOff } from '../measure/measured.js';
import type { Slo } from '../config/slo.js';
import { errorExamples } from './error-examples.js';
import { isGood } from './goodput.js';
import { HdrDistribution, type SerializedHistogram } from './hdr-distribution.js';
import { requestMetrics, scheduleLagMs } from './request-metrics.js';
import { chunkTokenWeights } from './throughput.js';
import { inputTokenTotals, inputTokensBySource, outputTokenTotals, type OutputTokenTotals, type SourceTotal, type TokenTotals } from './tokens.js';
import type { TtftPoint } from './saturation.js';
import { createRng } from '../util/rng.js';

export const AGGREGATE_METRICS = [
  'ttft', 'tpot', 'itl', 'e2e', 'ttfo', 'itl_per_token', 'e2e_per_output_token', 'time_to_second_token', 'max_stall', 'stream_close', 'schedule_lag', 'client_write',
] as const;
export type AggregateMetric = (typeof AGGREGATE_METRICS)[number];

/** Requests kept for the saturation trend. */
const RESERVOIR = 2048;

/** Everything but the distributions: plain numbers and maps, JSON as they are. */
export interface AggregateCounts {
  warmup_excluded: number;
  counted: number;
  succeeded: number;
  failed: number;
  retried: number;
  tpot_na: number;
  good: number;
  with_reasoning: number;
  cached_input_tokens: number;
  cut_off: { requests: number; input: number; output: number };
  failed_tokens: { input: number; output: number };
  input: TokenTotals;
  output: OutputTokenTotals;
  input_by_source: Record<string, SourceTotal>;
  finish_reasons: Record<string, number>;
  errors_by_class: Partial<Record<ErrorClass, number>>;
  /** The first failed request's message per class, with its send time (send order across merges). */
  error_examples: Partial<Record<ErrorClass, { t_send: number; message: string }>>;
  /** Earliest and latest measured send, latest measured end, run clock ms (null before the first). */
  first_send: number | null;
  last_send: number | null;
  last_end: number | null;
  /** Sum of (t_end - t_send) over measured requests: the integral of concurrency. */
  busy_ms: number;
  /** Highest request index seen, warm-up included (-1 before the first). */
  max_index: number;
}

export interface SerializedAggregate {
  version: 1;
  slo: Slo | null;
  tpot_na_is_good: boolean;
  counts: AggregateCounts;
  distributions: Record<AggregateMetric, SerializedHistogram>;
  /** [second of the run clock, in-flight ms in it, output tokens of succeeded requests in it]. */
  bins: Array<[number, number, number]>;
  /** Uniform sample of succeeded requests' (send time, TTFT), and how many it was drawn from. */
  sample: { seen: number; points: TtftPoint[] };
}

function emptyCounts(): AggregateCounts {
  return {
    warmup_excluded: 0, counted: 0, succeeded: 0, failed: 0, retried: 0, tpot_na: 0, good: 0, with_reasoning: 0, cached_input_tokens: 0,
    cut_off: { requests: 0, input: 0, output: 0 }, failed_tokens: { input: 0, output: 0 },
    input: { total: 0, sources: {} }, output: { total: 0, sources: {}, discrepancy: {} }, input_by_source: {},
    finish_reasons: {}, errors_by_class: {}, error_examples: {}, first_send: null, last_send: null, last_end: null, busy_ms: 0, max_index: -1,
  };
}

export class RunAggregate {
  readonly counts: AggregateCounts = emptyCounts();
  readonly dist = Object.fromEntries(AGGREGATE_METRICS.map((m) => [m, new HdrDistribution()])) as Record<AggregateMetric, HdrDistribution>;
  private readonly bins = new Map<number, [number, number]>();
  private sample: { seen: number; points: TtftPoint[] } = { seen: 0, points: [] };
  private readonly rng = createRng(1);

  constructor(readonly options: { slo: Slo | null; tpotNaIsGood: boolean }) {}

  /** Folds in one finished request (warm-up ones are only counted). */
  add(r: RequestRecord): void {
    const c = this.counts;
    c.max_index = Math.max(c.max_index, r.index);
    if (r.warmup) {
      c.warmup_excluded++;
      return;
    }
    c.first_send = c.first_send === null ? r.t_send : Math.min(c.first_send, r.t_send);
    c.last_send = c.last_send === null ? r.t_send : Math.max(c.last_send, r.t_send);
    c.last_end = c.last_end === null ? r.t_end : Math.max(c.last_end, r.t_end);
    c.busy_ms += Math.max(0, r.t_end - r.t_send);
    this.addBusy(r.t_send, r.t_end);
    this.dist.schedule_lag.add(scheduleLagMs(r));
    if (isCutOff(r)) {
      c.cut_off.requests++;
      c.cut_off.input += inputTokenTotals([r]).total;
      c.cut_off.output += outputTokenTotals([r]).total;
      return;
    }
    c.counted++;
    if ((r.retries ?? 0) > 0) c.retried++;
    addSources(c.input_by_source, inputTokensBySource([r]));
    if (!r.ok) {
      c.failed++;
      c.failed_tokens.input += inputTokenTotals([r]).total;
      c.failed_tokens.output += outputTokenTotals([r]).total;
      const cls = r.error?.class ?? 'unknown';
      c.errors_by_class[cls] = (c.errors_by_class[cls] ?? 0) + 1;
      const example = errorExamples([r])[cls];
      const seen = c.error_examples[cls];
      if (example !== undefined && (!seen || r.t_send < seen.t_send)) c.error_examples[cls] = { t_send: r.t_send, message: example };
      return;
    }
    this.addSucceeded(r);
  }

  private addSucceeded(r: RequestRecord): void {
    const c = this.counts;
    c.succeeded++;
    const m = requestMetrics(r);
    const d = this.dist;
    d.ttft.add(m.ttft_ms ?? NaN);
    d.tpot.add(m.tpot_ms ?? NaN);
    d.e2e.add(m.e2e_ms ?? NaN);
    d.ttfo.add(m.ttfo_ms ?? NaN);
    d.e2e_per_output_token.add(m.e2e_per_output_token_ms ?? NaN);
    d.time_to_second_token.add(m.time_to_second_token_ms ?? NaN);
    d.max_stall.add(m.max_stall_ms ?? NaN);
    d.stream_close.add(m.stream_close_ms);
    for (const v of m.itl_ms) d.itl.add(v);
    for (const v of m.itl_per_token_ms) d.itl_per_token.add(v);
    if (r.t_written !== undefined) d.client_write.add(r.t_written - r.t_send);
    if (m.tpot_ms === null) c.tpot_na++;
    if (r.chunks.some((ch) => ch.reasoning)) c.with_reasoning++;
    if (this.options.slo && isGood(r, this.options.slo, { tpotNaIsGood: this.options.tpotNaIsGood })) c.good++;
    c.cached_input_tokens += r.cached_input_tokens ?? 0;
    addTotals(c.input, inputTokenTotals([r]));
    addOutput(c.output, outputTokenTotals([r]));
    const reason = r.finish_reason ?? 'unknown';
    c.finish_reasons[reason] = (c.finish_reasons[reason] ?? 0) + 1;
    const weights = chunkTokenWeights(r);
    r.chunks.forEach((ch, i) => this.bin(Math.floor(ch.t / 1000))[1] += weights[i]!);
    if (m.ttft_ms !== null) this.addPoint({ t_send: r.t_send, ttft_ms: m.ttft_ms });
  }

  private bin(second: number): [number, number] {
    let b = this.bins.get(second);
    if (!b) this.bins.set(second, (b = [0, 0]));
    return b;
  }

  private addBusy(start: number, end: number): void {
    for (let s = Math.floor(start / 1000); s * 1000 < end; s++) {
      const overlap = Math.min(end, (s + 1) * 1000) - Math.max(start, s * 1000);
      if (overlap > 0) this.bin(s)[0] += overlap;
    }
  }

  /** Reservoir sampling (Algorithm R) with a fixed-seed generator, so a run's sample is reproducible. */
  private addPoint(p: TtftPoint): void {
    const s = this.sample;
    s.seen++;
    if (s.points.length < RESERVOIR) s.points.push(p);
    else {
      const j = Math.floor(this.rng.next() * s.seen);
      if (j < RESERVOIR) s.points[j] = p;
    }
  }

  /** Per-second bins, ascending: [second, in-flight ms, output tokens]. */
  binList(): Array<[number, number, number]> {
    return [...this.bins].sort((a, b) => a[0] - b[0]).map(([s, [busy, tokens]]) => [s, busy, tokens]);
  }

  samplePoints(): readonly TtftPoint[] {
    return this.sample.points;
  }

  /**
   * Adds another aggregate whose run clock is `shiftMs` behind this one's (a shard anchored later): distributions and
   * counts add; times move by the shift; bins move by whole seconds (the nearest).
   */
  merge(other: RunAggregate, shiftMs = 0): void {
    mergeCounts(this.counts, other.counts, shiftMs);
    for (const m of AGGREGATE_METRICS) this.dist[m].merge(other.dist[m]);
    const shiftS = Math.round(shiftMs / 1000);
    for (const [s, busy, tokens] of other.binList()) {
      const b = this.bin(s + shiftS);
      b[0] += busy;
      b[1] += tokens;
    }
    // Samples concatenate: a merge of N shards keeps up to N x 2048 points, each drawn uniformly from its shard.
    this.sample = { seen: this.sample.seen + other.sample.seen, points: [...this.sample.points, ...other.sample.points.map((p) => ({ ...p, t_send: p.t_send + shiftMs }))] };
  }

  toJSON(): SerializedAggregate {
    const distributions = Object.fromEntries(AGGREGATE_METRICS.map((m) => [m, this.dist[m].toJSON()])) as Record<AggregateMetric, SerializedHistogram>;
    return { version: 1, slo: this.options.slo, tpot_na_is_good: this.options.tpotNaIsGood, counts: this.counts, distributions, bins: this.binList(), sample: this.sample };
  }

  static fromJSON(s: SerializedAggregate): RunAggregate {
    const out = new RunAggregate({ slo: s.slo, tpotNaIsGood: s.tpot_na_is_good });
    Object.assign(out.counts, structuredClone(s.counts));
    for (const m of AGGREGATE_METRICS) if (s.distributions[m]) out.dist[m] = HdrDistribution.fromJSON(s.distributions[m]);
    for (const [sec, busy, tokens] of s.bins) out.bins.set(sec, [busy, tokens]);
    out.sample = { seen: s.sample.seen, points: [...s.sample.points] };
    return out;
  }

  /** Folds every record in (for shards that kept their records beside ones that did not). */
  static fromRecords(records: Iterable<RequestRecord>, options: { slo: Slo | null; tpotNaIsGood: boolean }): RunAggregate {
    const out = new RunAggregate(options);
    for (const r of records) out.add(r);
    return out;
  }
}

function addTotals(into: TokenTotals, t: TokenTotals): void {
  into.total += t.total;
  for (const [k, v] of Object.entries(t.sources)) into.sources[k] = (into.sources[k] ?? 0) + v;
}

function addOutput(into: OutputTokenTotals, t: OutputTokenTotals): void {
  addTotals(into, t);
  for (const [k, d] of Object.entries(t.discrepancy)) {
    const e = (into.discrepancy[k] ??= { requests: 0, total_diff: 0, max_abs_diff: 0 });
    e.requests += d.requests;
    e.total_diff += d.total_diff;
    e.max_abs_diff = Math.max(e.max_abs_diff, d.max_abs_diff);
  }
}

function addSources(into: Record<string, SourceTotal>, add: Record<string, SourceTotal>): void {
  for (const [k, v] of Object.entries(add)) {
    const e = (into[k] ??= { requests: 0, tokens: 0 });
    e.requests += v.requests;
    e.tokens += v.tokens;
  }
}

function addCounts(into: Record<string, number>, add: Record<string, number>): void {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
}

function mergeCounts(a: AggregateCounts, b: AggregateCounts, shiftMs: number): void {
  for (const k of ['warmup_excluded', 'counted', 'succeeded', 'failed', 'retried', 'tpot_na', 'good', 'with_reasoning', 'cached_input_tokens', 'busy_ms'] as const) a[k] += b[k];
  for (const k of ['requests', 'input', 'output'] as const) a.cut_off[k] += b.cut_off[k];
  a.failed_tokens.input += b.failed_tokens.input;
  a.failed_tokens.output += b.failed_tokens.output;
  addTotals(a.input, b.input);
  addOutput(a.output, b.output);
  addSources(a.input_by_source, b.input_by_source);
  addCounts(a.finish_reasons, b.finish_reasons);
  addCounts(a.errors_by_class as Record<string, number>, b.errors_by_class as Record<string, number>);
  for (const [cls, e] of Object.entries(b.error_examples) as Array<[ErrorClass, { t_send: number; message: string }]>) {
    const mine = a.error_examples[cls];
    if (!mine || e.t_send + shiftMs < mine.t_send) a.error_examples[cls] = { t_send: e.t_send + shiftMs, message: e.message };
  }
  if (b.first_send !== null) a.first_send = a.first_send === null ? b.first_send + shiftMs : Math.min(a.first_send, b.first_send + shiftMs);
  if (b.last_send !== null) a.last_send = a.last_send === null ? b.last_send + shiftMs : Math.max(a.last_send, b.last_send + shiftMs);
  if (b.last_end !== null) a.last_end = a.last_end === null ? b.last_end + shiftMs : Math.max(a.last_end, b.last_end + shiftMs);
  a.max_index = Math.max(a.max_index, b.max_index);
}
