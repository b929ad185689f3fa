/**
 * The run summary: a pure aggregation of measured request records. Keys are snake_case because the
 * summary is written to results.json as is (see docs/results-schema.md).
 */
import { errorExamples } from './error-examples.js';
import type { RunOutcome } from './outcome.js';
import { judgeTiming } from './timing-fidelity.js';
import { saturation, type Saturation } from './saturation.js';
import type { ErrorClass, RequestRecord } from '../measure/record.js';
import type { Fidelity } from '../measure/fidelity.js';
import type { Slo } from '../config/slo.js';
import { isEmptySlo } from '../config/slo.js';
import { computeCost, type CostSummary, type Prices } from './cost.js';
import { summarizeQuality, type QualitySummary } from './quality-summary.js';
import { summarizeSessions, type SessionSummary } from './sessions.js';
import { isGood } from './goodput.js';
import { describe, PERCENTILE_METHOD, type Distribution } from './percentiles.js';
import { requestMetrics, scheduleLagMs, type RequestMetrics } from './request-metrics.js';
import { concurrency, peakOutputTokensPerS } from './throughput.js';
import { selectMeasured, type TimeWindow } from '../measure/measured.js';

export { defaultWindow } from '../measure/measured.js';
import { inputTokenTotals, inputTokensBySource, outputTokenTotals, type OutputTokenTotals, type SourceTotal, type TokenTotals } from './tokens.js';

export const WINDOW_DEFINITION =
  'default: from the first measured request\'s t_send to the last measured request\'s t_end; ' +
  'an explicit window keeps only measured requests whose t_send falls inside it';

export interface SummarizeOptions {
  /** Explicit measurement window (ms on the run clock). Default: first measured t_send to last measured t_end. */
  window?: TimeWindow;
  slo?: Slo;
  /** Count an n/a TPOT as meeting the TPOT SLO (default false). */
  sloTpotNaIsGood?: boolean;
  prices?: Prices;
  /** The load runner's fidelity report, copied into the summary. */
  fidelity?: Fidelity;
  /** Turns per conversation of a multi-turn run. */
  turns?: number;
}

export interface RunSummary {
  percentile_method: string;
  /** Runs summarized from histograms (bench --records sample:R|none): a percentile's largest relative error. */
  percentile_relative_error?: number;
  window: { start_ms: number; end_ms: number; source: 'explicit' | 'measured_requests'; definition: string };
  /** Measurement window length in seconds: the denominator of every rate. */
  window_s: number;
  requests: {
    /** Measured requests in the window (succeeded + failed). */
    total: number;
    succeeded: number;
    failed: number;
    /** Warm-up requests left out of every figure. */
    warmup_excluded: number;
    /** Measured requests sent outside an explicit window, left out. */
    outside_window_excluded: number;
    /** Requests the client aborted (Ctrl-C, end of the duration grace): not in total, succeeded or failed. */
    cut_off: number;
    /**
     * Measured requests sent a second time because the server closed a reused connection before answering
     * (never read by the server); after the first, every request had a connection of its own.
     */
    retried: number;
  };
  /** Latency distributions over succeeded requests, ms. */
  ttft_ms: Distribution;
  tpot_ms: Distribution;
  itl_ms: Distribution;
  e2e_ms: Distribution;
  /**
   * The client's own share of TTFT: t_written - t_send over succeeded requests (pool, undici, event loop before
   * the bytes reached the socket). Absent when no record has t_written.
   */
  client_write_ms?: Distribution;
  /** Null when no succeeded request streamed reasoning (TTFO equals TTFT then). */
  ttfo_ms: Distribution | null;
  /** Null when no chunk carried a token count. */
  itl_per_token_ms: Distribution | null;
  /** (t_last - t_send) / N: GuideLLM's "TPOT", not ours. */
  e2e_per_output_token_ms: Distribution;
  time_to_second_token_ms: Distribution;
  max_stall_ms: Distribution;
  stream_close_ms: Distribution;
  /** t_send - t_sched over all measured requests (the client's own lateness). */
  schedule_lag_ms: Distribution;
  /** Succeeded requests whose TPOT is undefined (N - n1 < 1), excluded from tpot_ms. */
  tpot_na: number;
  tokens: {
    /** Succeeded requests only. */
    input: TokenTotals;
    output: OutputTokenTotals;
    /** Tokens of failed requests, never mixed into the totals above. */
    failed: { requests: number; input: number; output: number };
    /** Tokens of requests the client cut off, likewise apart. */
    cut_off: { requests: number; input: number; output: number };
    /** Prompt tokens of succeeded and failed requests per count source (usage, tokenizer, dataset), kept apart. */
    input_by_source?: Record<string, SourceTotal>;
    /** Mean prompt and output tokens per succeeded request (null without one). */
    mean_input_per_request?: number | null;
    mean_output_per_request?: number | null;
  };
  throughput: {
    requests_per_s: number | null;
    output_tokens_per_s: number | null;
    total_tokens_per_s: number | null;
    peak_output_tokens_per_s: number | null;
    concurrency: { mean: number | null; max: number | null };
  };
  goodput: {
    /** The SLO applied; null when none was given (then the figures below are null). */
    slo: Slo | null;
    tpot_na_is_good: boolean;
    good: number | null;
    requests_per_s: number | null;
    /** good / (succeeded + failed). */
    attainment: number | null;
  };
  /** Finish reasons of succeeded requests ('unknown' when none was sent). */
  finish_reasons: Record<string, number>;
  /** The run's verdict (set by the benchmark step from --max-error-rate); absent in older results. */
  outcome?: RunOutcome;
  errors: {
    total: number;
    error_rate: number | null;
    by_class: Partial<Record<ErrorClass, number>>;
    /** The first failed request's message per class (send order). */
    examples: Partial<Record<ErrorClass, string>>;
  };
  cost: CostSummary | null;
  /** The load generator's own health, added from the load runner; null when not given. */
  fidelity: Fidelity | null;
  /** Open loops (--rate): whether the server kept up with the offered load; absent for closed loops. */
  saturation?: Saturation;
  /** Answer quality against dataset references; absent when no request was scored. */
  quality?: QualitySummary;
  /** Multi-turn runs: conversations, TTFT by turn, the history's share of prompts. */
  sessions?: SessionSummary;
}

/**
 * Summarizes a run's records (warm-up included: they are counted and left out, see measure/measured.ts).
 *
 * @example summarize(records, { slo: parseSlo('ttft=500ms,tpot=50ms') }).goodput.attainment
 */
export function summarize(records: readonly RequestRecord[], options: SummarizeOptions = {}): RunSummary {
  const sel = selectMeasured(records, options.window ?? null);
  const { window, windowS, inWindow, counted, succeeded, failed, cutOff } = sel;
  const rate = (x: number | null): number | null => (x !== null && windowS > 0 ? x / windowS : null);

  const metrics = succeeded.map(requestMetrics);
  const pick = (f: (m: RequestMetrics) => number | null): Distribution =>
    describe(metrics.map(f).filter((v): v is number => v !== null));
  const itlPerToken = metrics.flatMap((m) => m.itl_per_token_ms);
  const hasReasoning = succeeded.some((r) => r.chunks.some((c) => c.reasoning));

  const ttft = pick((m) => m.ttft_ms);
  const writes = succeeded.flatMap((r) => (r.t_written !== undefined ? [r.t_written - r.t_send] : []));
  const itl = describe(metrics.flatMap((m) => m.itl_ms));
  const openLoop = options.fidelity ? options.fidelity.target_rate !== null : false;
  const sat = saturation(counted, rate(succeeded.length), openLoop);
  const input = inputTokenTotals(succeeded);
  const output = outputTokenTotals(succeeded);
  const failedTokens = {
    requests: failed.length,
    input: inputTokenTotals(failed).total,
    output: outputTokenTotals(failed).total,
  };

  const quality = summarizeQuality(succeeded);
  const slo = isEmptySlo(options.slo) ? null : (options.slo as Slo);
  const tpotNaIsGood = options.sloTpotNaIsGood ?? false;
  const good = slo ? succeeded.filter((r) => isGood(r, slo, { tpotNaIsGood })).length : null;
  const cost = computeCost(options.prices, {
    window_s: windowS,
    succeeded: succeeded.length,
    input_tokens: input.total,
    output_tokens: output.total,
    failed_input_tokens: failedTokens.input,
    failed_output_tokens: failedTokens.output,
    good,
    cached_input_tokens: succeeded.reduce((n, r) => n + (r.cached_input_tokens ?? 0), 0),
  });
  const sessions = summarizeSessions(counted, succeeded, options.turns ?? null, cost?.total ?? null);

  return {
    percentile_method: PERCENTILE_METHOD,
    window: {
      start_ms: window.start,
      end_ms: window.end,
      source: sel.windowSource,
      definition: WINDOW_DEFINITION,
    },
    window_s: windowS,
    requests: {
      total: counted.length,
      succeeded: succeeded.length,
      failed: failed.length,
      warmup_excluded: sel.warmupExcluded,
      outside_window_excluded: sel.outsideWindowExcluded,
      cut_off: cutOff.length,
      retried: counted.filter((r) => (r.retries ?? 0) > 0).length,
    },
    ttft_ms: ttft,
    tpot_ms: pick((m) => m.tpot_ms),
    itl_ms: itl,
    e2e_ms: pick((m) => m.e2e_ms),
    ttfo_ms: hasReasoning ? pick((m) => m.ttfo_ms) : null,
    itl_per_token_ms: itlPerToken.length > 0 ? describe(itlPerToken) : null,
    e2e_per_output_token_ms: pick((m) => m.e2e_per_output_token_ms),
    time_to_second_token_ms: pick((m) => m.time_to_second_token_ms),
    max_stall_ms: pick((m) => m.max_stall_ms),
    stream_close_ms: pick((m) => m.stream_close_ms),
    schedule_lag_ms: describe(inWindow.map(scheduleLagMs)),
    tpot_na: metrics.filter((m) => m.tpot_ms === null).length,
    tokens: {
      input,
      output,
      failed: failedTokens,
      cut_off: { requests: cutOff.length, input: inputTokenTotals(cutOff).total, output: outputTokenTotals(cutOff).total },
      input_by_source: inputTokensBySource([...succeeded, ...failed]),
      mean_input_per_request: succeeded.length > 0 ? input.total / succeeded.length : null,
      mean_output_per_request: succeeded.length > 0 ? output.total / succeeded.length : null,
    },
    throughput: {
      requests_per_s: rate(succeeded.length),
      output_tokens_per_s: rate(output.total),
      total_tokens_per_s: rate(input.total + output.total),
      peak_output_tokens_per_s: peakOutputTokensPerS(succeeded, window),
      concurrency: concurrency(inWindow, window),
    },
    goodput: {
      slo,
      tpot_na_is_good: tpotNaIsGood,
      good,
      requests_per_s: rate(good),
      attainment: good !== null && counted.length > 0 ? good / counted.length : null,
    },
    finish_reasons: countBy(succeeded, (r) => r.finish_reason ?? 'unknown'),
    errors: {
      total: failed.length,
      error_rate: counted.length > 0 ? failed.length / counted.length : null,
      by_class: countBy(failed, (r) => r.error?.class ?? 'unknown') as Partial<Record<ErrorClass, number>>,
      examples: errorExamples(failed),
    },
    cost,
    ...(writes.length > 0 ? { client_write_ms: describe(writes) } : {}),
    fidelity: options.fidelity ? judgeTiming(options.fidelity, { itlMean: itl.mean, ttftP50: ttft.p50 }) : null,
    ...(sat ? { saturation: sat } : {}),
    ...(quality ? { quality } : {}),
    ...(sessions ? { sessions } : {}),
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
