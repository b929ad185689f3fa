/**
 * Synthetic runs with realistic noise, for tests and benchmarks of `compare`: a closed loop of `concurrency`
 * slots, lognormal TTFT and inter-chunk gaps, and a failure probability. Seeded, so a seed names a run.
 */
import type { RequestRecord } from '../../src/measure/record.js';
import { summarize } from '../../src/stats/summary.js';
import { createRng } from '../../src/util/rng.js';
import type { LoadedRun } from '../../src/compare/types.js';

export interface SimulatedRunSpec {
  seed: number;
  requests: number;
  concurrency?: number;
  /** Median TTFT, ms; lognormal with `ttftSigma` (default 0.35). */
  ttftMs: number;
  ttftSigma?: number;
  /** Median gap between chunks, ms; lognormal with `itlSigma` (default 0.25). */
  itlMs: number;
  itlSigma?: number;
  /** Output tokens per request (one per chunk). */
  outputTokens: number;
  /** Probability that a request fails (no chunks). Default 0. */
  errorRate?: number;
}

/** Records of one simulated run, in send order. */
export function simulateRecords(spec: SimulatedRunSpec): RequestRecord[] {
  const rng = createRng(spec.seed);
  const lognormal = (median: number, sigma: number): number => median * Math.exp(sigma * rng.normal());
  const slots = new Array<number>(spec.concurrency ?? 8).fill(0);
  const records: RequestRecord[] = [];
  for (let index = 0; index < spec.requests; index++) {
    // The earliest free slot sends next, a little after it freed (client overhead).
    let slot = 0;
    for (let s = 1; s < slots.length; s++) if (slots[s]! < slots[slot]!) slot = s;
    const tSched = slots[slot]!;
    const tSend = tSched + 0.05 + rng.next() * 0.1;
    const failed = rng.next() < (spec.errorRate ?? 0);
    const chunks: RequestRecord['chunks'] = [];
    let t = tSend + lognormal(spec.ttftMs, spec.ttftSigma ?? 0.35);
    if (!failed) {
      for (let k = 0; k < spec.outputTokens; k++) {
        if (k > 0) t += lognormal(spec.itlMs, spec.itlSigma ?? 0.25);
        chunks.push({ t, tokens: null, reasoning: false });
      }
    }
    const tEnd = t + 0.3;
    slots[slot] = tEnd;
    records.push({
      index,
      warmup: false,
      t_sched: tSched,
      t_send: tSend,
      t_headers: tSend + 1,
      t_end: tEnd,
      chunks,
      ok: !failed,
      error: failed ? { class: 'http_5xx', message: 'simulated failure', status: 500 } : null,
      http_status: failed ? 500 : 200,
      finish_reason: failed ? null : 'length',
      input_tokens: 64,
      input_tokens_source: 'usage',
      output_tokens: failed ? null : spec.outputTokens,
      output_tokens_source: failed ? null : 'usage',
      requested_output_tokens: spec.outputTokens,
      output_chars: failed ? 0 : spec.outputTokens * 4,
    });
  }
  return records;
}

/**
 * A LoadedRun of simulated records, with a summary and a config like `bench` would store.
 * @example compareRuns(simulatedRun({ seed: 1, ... }), simulatedRun({ seed: 2, ... }))
 */
export function simulatedRun(spec: SimulatedRunSpec, overrides: { config?: Record<string, unknown>; model?: string } = {}): LoadedRun {
  const records = simulateRecords(spec);
  return {
    label: `sim-${spec.seed}`,
    source: 'simulated',
    records,
    results: {
      id: `sim${spec.seed}`,
      tool_version: '0.1.0',
      status: 'completed',
      config: { concurrency: spec.concurrency ?? 8, inputTokens: '64', outputTokens: String(spec.outputTokens), api: 'chat', ...overrides.config },
      target: { url: 'http://127.0.0.1:8000/v1', model: overrides.model ?? 'sim-model', api: 'chat' },
      summary: summarize(records),
    },
  };
}
