import type { QualityScores } from '../measure/quality.js';
/**
 * The run store contract. Every storage backend (SQLite, PostgreSQL) implements `RunStore`; commands, reports and
 * comparisons only ever see this interface. Async because a database server answers over the network.
 */
import type { RequestRecord } from '../measure/record.js';

/** Lifecycle of a run. `interrupted`: the writer died or was stopped before finishing. */
export type RunStatus = 'running' | 'completed' | 'interrupted' | 'invalid';
export type FinalRunStatus = Exclude<RunStatus, 'running'>;

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'interrupted', 'invalid'];

/** What the run ran on; enough to tell two runs' setups apart at a glance. */
export interface EnvironmentFingerprint {
  tool_version: string;
  host: string;
  target_url: string;
  model_id: string | null;
  engine?: string | null;
  engine_version?: string | null;
  /** Free-form extras (node version, platform, GPU, ...). */
  [key: string]: unknown;
}

/** Input to `createRun`. The config must already be redacted (no API keys). */
export interface NewRun {
  config: unknown;
  environment: EnvironmentFingerprint;
  labels?: Record<string, string>;
  note?: string | null;
}

export interface RunRow {
  /** Short random id: 10 lowercase Crockford base32 characters. */
  id: string;
  /** ISO 8601 UTC. */
  created_at: string;
  /** ISO 8601 UTC when finishRun was called; null while running or when the writer died. */
  finished_at: string | null;
  status: RunStatus;
  config: unknown;
  environment: EnvironmentFingerprint;
  labels: Record<string, string>;
  /** Baseline names pointing at this run, sorted. */
  baselines: string[];
  summary: unknown;
  results: unknown;
  note: string | null;
  /** Process that created the run; used to tell a live run from a dead one. */
  writer_pid: number | null;
  writer_host: string | null;
  /** Request records stored so far. */
  request_count: number;
}

/** A server-side observation taken during a run (a /metrics scrape, a GPU sample, ...). */
export interface ServerSample {
  /** Time on the run's monotonic clock, ms. */
  t_ms: number;
  /** Where it came from, e.g. "http://host:8000/metrics" or "dcgm". */
  source: string;
  payload: unknown;
}

export interface RunFilter {
  /** Every pair must match exactly. */
  labels?: Record<string, string>;
  /** Case-insensitive substring of the environment's target URL. */
  target?: string;
  /** Runs created at or after this instant. */
  since?: Date;
  /** Newest first; no limit when absent. */
  limit?: number;
}

export interface FinishRun {
  status: FinalRunStatus;
  summary: unknown;
  results?: unknown;
}

export interface RunStore {
  /** Where the runs are kept, for messages (a file path, or a PostgreSQL URL without its password). */
  readonly location: string;
  /** Records a new run in status `running`, owned by this process. */
  createRun(meta: NewRun): Promise<RunRow>;
  /** Appends records in one transaction; callers batch (see createRequestWriter). */
  appendRequests(runId: string, records: readonly RequestRecord[]): Promise<void>;
  appendServerSamples(runId: string, samples: readonly ServerSample[]): Promise<void>;
  /** Adds answer-quality scores to measured requests already stored (scoring runs after the load). */
  setRequestQuality(runId: string, items: ReadonlyArray<{ index: number; quality: QualityScores }>): Promise<void>;
  finishRun(runId: string, finish: FinishRun): Promise<void>;
  /**
   * Sets a running run's summary and results to its figures so far (runs that keep no, or sampled, records write
   * these every few seconds, so a writer that dies leaves them); a run no longer running is left alone.
   */
  checkpointRun(runId: string, checkpoint: { summary: unknown; results: unknown }): Promise<void>;
  /**
   * Resolves a reference: an exact id, else a baseline name, else an unambiguous id prefix.
   * Throws StoreError `not_found` or `ambiguous` (listing the matches).
   */
  getRun(ref: string): Promise<RunRow>;
  listRuns(filter?: RunFilter): Promise<RunRow[]>;
  /** Records in order: warm-up first, then by schedule index. */
  getRequests(runId: string): Promise<RequestRecord[]>;
  /** Same order as getRequests, decoded a batch at a time (for large runs). */
  iterateRequests(runId: string): AsyncIterableIterator<RequestRecord>;
  getServerSamples(runId: string): Promise<ServerSample[]>;
  /** Deletes the run with its requests, samples, labels and baselines. */
  deleteRun(runId: string): Promise<void>;
  /** Points baseline `name` at the run; returns the run it pointed at before, if another. */
  tagBaseline(runId: string, name: string): Promise<{ previous: string | null }>;
  close(): Promise<void>;
}
