import type { BenchmarkListener } from './events.js';
import type { BenchmarkOptions } from './options.js';
import { openSession } from './session.js';
import type { StepResult } from './step.js';

export type BenchmarkResult = StepResult;

export interface RunBenchmarkHooks {
  onEvent?: BenchmarkListener;
  /** Abort = stop sending, finish or abort in-flight requests, and still write results. */
  signal?: AbortSignal;
}

/**
 * Runs one benchmark: validates everything first, resolves the target (or starts the embedded engine), sends the
 * workload under the load profile, scrapes the server's /metrics alongside, and derives the results. A session of
 * one step (see session.ts for many).
 *
 * @example
 * const { results } = await runBenchmark({ url: 'http://127.0.0.1:8000/v1', concurrency: 8, requests: 200 });
 * console.log(results.summary.ttft_ms.p99);
 */
export async function runBenchmark(input: BenchmarkOptions, hooks: RunBenchmarkHooks = {}): Promise<BenchmarkResult> {
  const session = await openSession(input, hooks.onEvent ? { onEvent: hooks.onEvent } : {});
  try {
    return await session.runStep({}, hooks.signal ? { signal: hooks.signal } : {});
  } finally {
    await session.close();
  }
}
