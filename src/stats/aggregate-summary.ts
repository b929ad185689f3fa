/**
 * The run summary from a RunAggregate (a run that kept no records, or a sample): the same shape as summarize()'s,
 * with percentiles from HDR histograms (stated in `percentile_method` and `percentile_relative_error`).
 */
import type { ErrorClass } from '../measure/record.js';
import { computeCost } from './cost.js';
import { HDR_PERCENTILE_METHOD, HDR_RELATIVE_ERROR } from './hdr-distribution.js';
import type { RunAggregate } from './run-aggregate.js';
import { saturationFromPoints } from './saturation.js';
import { WINDOW_DEFINITION, type RunSummary, type SummarizeOptions } from './summary.js';
import { judgeTiming } from './timing-fidelity.js';

export type AggregateSummaryOptions = Pick<SummarizeOptions, 'prices' | 'fidelity'>;

/**
 * @example summarizeAggregate(agg, { fidelity: load.fidelity }).ttft_ms.p99
 */
export function summarizeAggregate(agg: RunAggregate, options: AggregateSummaryOptions = {}): RunSummary {
  const c = agg.counts;
  const d = agg.dist;
  const start = c.first_send ?? 0;
  const end = c.last_end ?? 0;
  const windowS = Math.max(0, end - start) / 1000;
  const rate = (x: number | null): number | null => (x !== null && windowS > 0 ? x / windowS : null);
  const ttft = d.ttft.describe();
  const itl = d.itl.describe();
  const slo = agg.options.slo;
  const good = slo ? c.good : null;
  const cost = computeCost(options.prices, {
    window_s: windowS,
    succeeded: c.succeeded,
    input_tokens: c.input.total,
    output_tokens: c.output.total,
    failed_input_tokens: c.failed_tokens.input,
    failed_output_tokens: c.failed_tokens.output,
    good,
    cached_input_tokens: c.cached_input_tokens,
  });
  const bins = agg.binList();
  const openLoop = options.fidelity ? options.fidelity.target_rate !== null : false;
  const sendSpan = c.first_send !== null && c.last_send !== null ? c.last_send - c.first_send : 0;
  const offered = c.counted >= 2 && sendSpan > 0 ? ((c.counted - 1) * 1000) / sendSpan : null;
  const sat = openLoop ? saturationFromPoints(agg.samplePoints(), offered, rate(c.succeeded)) : null;
  const examples: Partial<Record<ErrorClass, string>> = {};
  for (const [cls, e] of Object.entries(c.error_examples)) examples[cls as ErrorClass] = e.message;
  const writes = d.client_write.describe();
  return {
    percentile_method: HDR_PERCENTILE_METHOD,
    percentile_relative_error: HDR_RELATIVE_ERROR,
    window: { start_ms: start, end_ms: end, source: 'measured_requests', definition: WINDOW_DEFINITION },
    window_s: windowS,
    requests: {
      total: c.counted,
      succeeded: c.succeeded,
      failed: c.failed,
      warmup_excluded: c.warmup_excluded,
      outside_window_excluded: 0,
      cut_off: c.cut_off.requests,
      retried: c.retried,
    },
    ttft_ms: ttft,
    tpot_ms: d.tpot.describe(),
    itl_ms: itl,
    e2e_ms: d.e2e.describe(),
    ttfo_ms: c.with_reasoning > 0 ? d.ttfo.describe() : null,
    itl_per_token_ms: d.itl_per_token.count > 0 ? d.itl_per_token.describe() : null,
    e2e_per_output_token_ms: d.e2e_per_output_token.describe(),
    time_to_second_token_ms: d.time_to_second_token.describe(),
    max_stall_ms: d.max_stall.describe(),
    stream_close_ms: d.stream_close.describe(),
    schedule_lag_ms: d.schedule_lag.describe(),
    tpot_na: c.tpot_na,
    tokens: {
      input: c.input,
      output: c.output,
      failed: { requests: c.failed, input: c.failed_tokens.input, output: c.failed_tokens.output },
      cut_off: c.cut_off,
      input_by_source: c.input_by_source,
      mean_input_per_request: c.succeeded > 0 ? c.input.total / c.succeeded : null,
      mean_output_per_request: c.succeeded > 0 ? c.output.total / c.succeeded : null,
    },
    throughput: {
      requests_per_s: rate(c.succeeded),
      output_tokens_per_s: rate(c.output.total),
      total_tokens_per_s: rate(c.input.total + c.output.total),
      peak_output_tokens_per_s: windowS >= 1 ? largest(bins, 2) : null,
      // The largest 1-second average, rounded up: a lower bound of the largest count at once.
      concurrency: windowS > 0 ? { mean: c.busy_ms / (end - start), max: Math.ceil(largest(bins, 1) / 1000 - 1e-9) } : { mean: null, max: null },
    },
    goodput: {
      slo,
      tpot_na_is_good: agg.options.tpotNaIsGood,
      good,
      requests_per_s: rate(good),
      attainment: good !== null && c.counted > 0 ? good / c.counted : null,
    },
    finish_reasons: { ...c.finish_reasons },
    errors: {
      total: c.failed,
      error_rate: c.counted > 0 ? c.failed / c.counted : null,
      by_class: { ...c.errors_by_class },
      examples,
    },
    cost,
    ...(writes.count > 0 ? { client_write_ms: writes } : {}),
    fidelity: options.fidelity ? judgeTiming(options.fidelity, { itlMean: itl.mean, ttftP50: ttft.p50 }) : null,
    ...(sat ? { saturation: sat } : {}),
  };
}

function largest(bins: ReadonlyArray<readonly [number, number, number]>, column: 1 | 2): number {
  let max = 0;
  for (const b of bins) if (b[column] > max) max = b[column];
  return max;
}
