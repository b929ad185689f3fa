/** Encoding between RunStore objects and database rows (SQLite and PostgreSQL keep the same columns). */
import type { RequestRecord } from '../measure/record.js';
import { StoreError } from './errors.js';
import { decodeRecord } from './record-codec.js';
import { RUN_STATUSES } from './types.js';
import type { EnvironmentFingerprint, RunRow, RunStatus } from './types.js';

/** The columns `RUN_SELECT` yields. */
export interface RunDbRow {
  id: string;
  created_at: string;
  finished_at: string | null;
  status: string;
  config_json: string;
  environment_json: string;
  summary_json: string | null;
  results_json: string | null;
  note: string | null;
  writer_pid: number | null;
  writer_host: string | null;
  request_count: number;
  labels_json: string | null;
  baselines_json: string | null;
}

/** Runs with their label map, baseline names and request count, in one statement. */
export const RUN_SELECT = `
  SELECT r.id, r.created_at, r.finished_at, r.status, r.config_json, r.environment_json,
         r.summary_json, r.results_json, r.note, r.writer_pid, r.writer_host,
         (SELECT count(*) FROM requests q WHERE q.run_id = r.id) AS request_count,
         (SELECT json_group_object(l.key, l.value) FROM run_labels l WHERE l.run_id = r.id) AS labels_json,
         (SELECT json_group_array(name) FROM
            (SELECT b.name AS name FROM baselines b WHERE b.run_id = r.id ORDER BY b.name)) AS baselines_json
  FROM runs r`;

/** JSON text for a column; undefined becomes SQL NULL. */
export function toJsonColumn(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}

function parseJson(text: string | null, runId: string, column: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StoreError('corrupt', `run ${runId}: column ${column} holds invalid JSON`, { cause: error });
  }
}

/** Decodes one `RUN_SELECT` row. */
export function decodeRun(row: RunDbRow): RunRow {
  const status = row.status as RunStatus;
  if (!RUN_STATUSES.includes(status)) {
    throw new StoreError('corrupt', `run ${row.id}: unknown status "${row.status}"`);
  }
  return {
    id: row.id,
    created_at: row.created_at,
    finished_at: row.finished_at,
    status,
    config: parseJson(row.config_json, row.id, 'config_json'),
    environment: parseJson(row.environment_json, row.id, 'environment_json') as EnvironmentFingerprint,
    labels: (parseJson(row.labels_json, row.id, 'labels') ?? {}) as Record<string, string>,
    baselines: (parseJson(row.baselines_json, row.id, 'baselines') ?? []) as string[],
    summary: parseJson(row.summary_json, row.id, 'summary_json'),
    results: parseJson(row.results_json, row.id, 'results_json'),
    note: row.note,
    writer_pid: row.writer_pid,
    writer_host: row.writer_host,
    request_count: row.request_count,
  };
}

/** Decodes a stored record or sample payload, naming the run on failure. */
export function decodeJson<T>(text: string, runId: string, what: string): T {
  return parseJson(text, runId, what) as T;
}

/** Decodes one stored request row (`record_json` plus the `chunks` blob), naming the run and row on failure. */
export function decodeRequest(runId: string, seq: number, json: string, chunks: Uint8Array | null): RequestRecord {
  try {
    return decodeRecord(json, chunks);
  } catch (error) {
    throw new StoreError('corrupt', `run ${runId}: request row ${seq} cannot be decoded: ${(error as Error).message}`, { cause: error });
  }
}
