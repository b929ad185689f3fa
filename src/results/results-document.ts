import type { Diagnosis } from './findings.js';
/**
 * The versioned results.json document: what a run produced, re-renderable without re-running.
 * Field by field description: docs/results-schema.md. Bump RESULTS_SCHEMA_VERSION on any breaking change.
 */
import { InputError } from '../errors.js';
import type { ApiKind } from '../client/types.js';
import type { ThresholdOutcome } from '../config/threshold.js';
import type { RunSummary } from '../stats/summary.js';
import type { SerializedAggregate } from '../stats/run-aggregate.js';
import type { ServerResults } from '../server-metrics/server-results.js';
import { TOOL_VERSION } from '../version.js';

export const RESULTS_SCHEMA_VERSION = 1;

export type RunStatus = 'completed' | 'interrupted' | 'invalid' | 'running';

export interface ResultsTarget {
  /** OpenAI base URL (no credentials). */
  url: string;
  model: string;
  api: ApiKind;
  /** True when the target was the embedded engine. */
  embedded?: boolean;
  /** What ran the embedded engine: llama-server (llama.cpp's own) or node-llama-cpp (in-process bindings). */
  backend?: 'llama-server' | 'node-llama-cpp';
  /**
   * `per_request` when the server closed each connection after a streamed answer (seen before the run): every
   * request opened its own, so each TTFT includes a TCP connect. Absent when connections were kept.
   */
  connections?: 'per_request';
}

export interface ResultsDocument {
  schema_version: typeof RESULTS_SCHEMA_VERSION;
  run: {
    id: string;
    tool_version: string;
    /** completed; interrupted (stopped early); invalid (the load generator fell behind, see summary.fidelity); running (a stored run still being written). */
    status: RunStatus;
    /** ISO-8601 wall clock, for humans only; durations come from the monotonic clock. */
    started_at: string;
    ended_at: string;
    /** Wall-clock time (ms since the Unix epoch) of the run clock's zero: t on the run clock = this + t ms. */
    clock_epoch_ms?: number;
    /** The run's configuration, already redacted by the caller. */
    config: unknown;
    target: ResultsTarget;
  };
  summary: RunSummary;
  /** Present when thresholds were given. */
  thresholds?: ThresholdOutcome;
  /** Server-side metrics over the window, when scraped (shape owned by server-metrics). */
  server?: ServerResults;
  /** What limits the run, with the evidence (see analysis/diagnose-run.ts). */
  diagnosis?: Diagnosis;
  /**
   * Runs that did not keep every record (bench --records sample:R|none): the mergeable histograms and counts the
   * summary was computed from, so shards merge exactly (stats/run-aggregate.ts).
   */
  aggregate?: SerializedAggregate;
}

export interface BuildResultsInput {
  id: string;
  /** Defaults to this package's version. */
  toolVersion?: string;
  startedAt: Date | string;
  endedAt: Date | string;
  /** Must already be redacted: it is written as is. */
  config: unknown;
  target: ResultsTarget;
  summary: RunSummary;
  /** Defaults to 'invalid' when summary.fidelity says so, else 'completed'. */
  status?: RunStatus;
  thresholds?: ThresholdOutcome;
  server?: ServerResults;
  diagnosis?: Diagnosis;
  aggregate?: SerializedAggregate;
  /** Wall-clock anchor of the run clock (ms since the Unix epoch); see RequestRecord.clock_epoch_ms. */
  clockEpochMs?: number;
}

/**
 * Assembles the results document. Pure: the caller writes it (JSON.stringify(doc, null, 2)).
 *
 * @example buildResults({ id, startedAt, endedAt: new Date(), config, target, summary })
 */
export function buildResults(input: BuildResultsInput): ResultsDocument {
  const status = input.status ?? (input.summary.fidelity && !input.summary.fidelity.valid ? 'invalid' : 'completed');
  const doc: ResultsDocument = {
    schema_version: RESULTS_SCHEMA_VERSION,
    run: {
      id: input.id,
      tool_version: input.toolVersion ?? TOOL_VERSION,
      status,
      started_at: toIso(input.startedAt),
      ended_at: toIso(input.endedAt),
      ...(input.clockEpochMs !== undefined ? { clock_epoch_ms: input.clockEpochMs } : {}),
      config: input.config,
      target: input.target,
    },
    summary: input.summary,
  };
  if (input.thresholds) doc.thresholds = input.thresholds;
  if (input.server !== undefined) doc.server = input.server;
  if (input.diagnosis !== undefined) doc.diagnosis = input.diagnosis;
  if (input.aggregate !== undefined) doc.aggregate = input.aggregate;
  return doc;
}

/** Error reading a results document: wrong shape or unsupported schema version. */
export class ResultsFormatError extends InputError {
  override readonly name = 'ResultsFormatError';
}

/**
 * Checks a parsed results.json before re-rendering it: the schema version and the sections every report
 * reads. Throws ResultsFormatError naming what is wrong.
 */
export function parseResultsDocument(value: unknown, source = 'results.json'): ResultsDocument {
  if (value === null || typeof value !== 'object') throw new ResultsFormatError(`${source}: not a JSON object`);
  const doc = value as Record<string, unknown>;
  if (doc.schema_version !== RESULTS_SCHEMA_VERSION) {
    throw new ResultsFormatError(
      `${source}: schema_version ${JSON.stringify(doc.schema_version)} is not supported (expected ${RESULTS_SCHEMA_VERSION})`,
    );
  }
  for (const key of ['run', 'summary'] as const) {
    if (doc[key] === null || typeof doc[key] !== 'object') throw new ResultsFormatError(`${source}: missing "${key}" object`);
  }
  return value as ResultsDocument;
}

function toIso(t: Date | string): string {
  return typeof t === 'string' ? t : t.toISOString();
}
