/**
 * inferscope's programmatic API. The CLI is a thin front over these functions.
 *
 * @example
 * import { runBenchmark } from 'inferscope';
 * const { results } = await runBenchmark({ url: 'http://127.0.0.1:8000/v1', concurrency: 8, requests: 200 });
 */
export { runBenchmark, type BenchmarkResult, type RunBenchmarkHooks } from './benchmark/run-benchmark.js';
export { openSession, type BenchmarkSession, type SessionTarget } from './benchmark/session.js';
export type { StepPlan, StepResult } from './benchmark/step.js';
export type { BenchmarkOptions } from './benchmark/options.js';
export type { BenchmarkEvent, BenchmarkListener } from './benchmark/events.js';
export { InferscopeError, InputError, RunFailedError } from './errors.js';
export { ConfigError } from './config/errors.js';
export { DEFAULTS } from './config/defaults.js';
export type { RequestRecord, ErrorClass } from './measure/record.js';
export type { ResultsDocument } from './results/results-document.js';
export { loadRun, loadRuns } from './results/load-run.js';
export type { RunSummary } from './stats/summary.js';
export { formatSummary } from './report/console.js';
export { summarize } from './stats/summary.js';
export { startEmbeddedServer } from './engine/server.js';
export { startEngineProcess } from './engine/engine-process.js';
