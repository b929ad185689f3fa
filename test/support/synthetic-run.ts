import { parseSlo } from '../../src/config/slo.js';
/**
 * A synthetic run (records, summary and results document) with realistic shapes: for the report's
 * benchmark, tests and demos. Deterministic for a seed.
 */
import type { ErrorClass, RequestRecord, TokenChunk } from '../../src/measure/record.js';
import { summarize } from '../../src/stats/summary.js';
import { createRng } from '../../src/util/rng.js';
import { buildResults } from '../../src/results/results-document.js';
import { diagnoseRun } from '../../src/analysis/diagnose-run.js';
import type { ServerResults } from '../../src/server-metrics/server-results.js';
import type { ReportRun } from '../../src/report/html/chart-data.js';

export interface SyntheticRunOptions {
  requests: number;
  /** Open-loop send rate, req/s. Default 50. */
  rate?: number;
  seed?: number;
  label?: string;
  /** Fraction of failed requests. Default 0.02. */
  errorRate?: number;
  /** Multiplies every latency (to make a slower "B" run). Default 1. */
  slowdown?: number;
  /** SLOs for goodput (as --slo), e.g. "ttft=150ms". */
  slo?: string;
  /** Add a server section with a few series. Default true. */
  server?: boolean;
  /** Text used for model ids, error messages and outputs (e.g. to test escaping). */
  untrustedText?: string;
}

const ERROR_CLASSES: ErrorClass[] = ['http_5xx', 'timeout_ttft', 'http_429', 'connection_reset'];

/** @example syntheticRun({ requests: 1000 }).records.length // 1000 */
export function syntheticRun(options: SyntheticRunOptions): ReportRun {
  const rng = createRng(options.seed ?? 1);
  const rate = options.rate ?? 50;
  const slow = options.slowdown ?? 1;
  const text = options.untrustedText;
  const records: RequestRecord[] = [];
  let t = 0;
  for (let index = 0; index < options.requests; index++) {
    t += rng.exponential(rate / 1000);
    const failed = rng.next() < (options.errorRate ?? 0.02);
    const ttft = slow * (40 + rng.gamma(2, 30));
    const tpot = slow * (12 + rng.gamma(4, 2));
    const n = rng.int(16, 128);
    const chunks: TokenChunk[] = [];
    let at = t + ttft;
    const emitted = failed ? Math.min(n, rng.int(0, 8)) : n;
    for (let k = 0; k < emitted; k++) {
      chunks.push({ t: at, tokens: null, reasoning: false });
      at += tpot * (0.6 + 0.8 * rng.next()) + (rng.next() < 0.002 ? 400 * slow : 0);
    }
    const last = chunks[chunks.length - 1]?.t ?? t + ttft;
    const errorClass = ERROR_CLASSES[index % ERROR_CLASSES.length]!;
    records.push({
      index,
      warmup: false,
      t_sched: t,
      t_send: t + rng.next() * 0.3,
      t_headers: t + 5,
      t_end: last + 1,
      chunks,
      ok: !failed,
      error: failed ? { class: errorClass, message: text ?? `upstream said ${errorClass} for request ${index}`, status: 503 } : null,
      http_status: failed ? 503 : 200,
      finish_reason: failed ? null : text && index === 0 ? text : n === 128 ? 'length' : 'stop',
      input_tokens: 256,
      input_tokens_source: 'usage',
      output_tokens: failed ? null : n,
      output_tokens_source: failed ? null : 'usage',
      requested_output_tokens: 128,
      output_chars: n * 4,
      ...(text && index < 3 ? { output_text: `${text} answer ${index}` } : {}),
    });
  }
  const summary = summarize(records, options.slo ? { slo: parseSlo(options.slo) } : {});
  const server = options.server === false ? undefined : syntheticServer(records, summary.window.end_ms);
  const results = buildResults({
    id: `synthetic${options.seed ?? 1}`,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:10:00.000Z',
    config: { url: 'http://127.0.0.1:8000/v1', model: text ?? 'synthetic-model', rate, arrival: 'poisson', requests: options.requests, inputTokens: '256', outputTokens: '16-128', seed: options.seed ?? 1 },
    target: { url: 'http://127.0.0.1:8000/v1', model: text ?? 'synthetic-model', api: 'chat' },
    summary,
    ...(server ? { server } : {}),
    diagnosis: diagnoseRun({ summary, server: server ?? null, records }),
  });
  return { label: options.label ?? results.run.id, results, records };
}

function syntheticServer(records: readonly RequestRecord[], endMs: number): ServerResults {
  const running: [number, number][] = [];
  const kv: [number, number][] = [];
  for (let s = 0; s * 1000 <= endMs; s++) {
    const at = s * 1000;
    let inFlight = 0;
    // Sampled once a second, as a /metrics scrape would.
    for (let i = Math.max(0, lowerBound(records, at - 60_000)); i < records.length && records[i]!.t_send <= at; i++) {
      if (records[i]!.t_end > at) inFlight++;
    }
    running.push([at, inFlight]);
    kv.push([at, Math.min(1, inFlight / 64)]);
  }
  // A partial server section, as a report must render whatever an older or foreign results.json carries.
  return { engines: ['vllm'], series: { requests_running: running, kv_cache_usage: kv }, preemptions: 0 } as unknown as ServerResults;
}

function lowerBound(records: readonly RequestRecord[], t: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.t_send < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
