import type { RequestRecord } from '../measure/record.js';
import { createRequestWriter } from '../store/batch-writer.js';
import { collectEnvironment } from '../store/environment.js';
import type { FinalRunStatus, RunStore, ServerSample } from '../store/types.js';

/** Records one run in the store as it goes: created at start, requests as they finish, summary at the end. */
export interface RunRecorder {
  readonly runId: string;
  add(record: RequestRecord): void;
  /** Adds the answer scores of requests recorded earlier. */
  addQuality(records: readonly RequestRecord[]): Promise<void>;
  /** The run's figures so far (runs without every record), kept should the writer die; best effort. */
  checkpoint(results: { summary: unknown }): void;
  finish(status: FinalRunStatus, results: { summary: unknown }, samples: ServerSample[]): Promise<void>;
  close(): Promise<void>;
}

export interface RecorderMeta {
  config: unknown;
  labels: Record<string, string>;
  toolVersion: string;
  targetUrl: string;
  modelId: string;
  engine: string | null;
  engineVersion: string | null;
  /** Further facts for the fingerprint (e.g. what /v1/models says owns the model). */
  extra?: Record<string, unknown>;
}

/** Creates the run in an open store (the session's; the recorder never closes it). */
export async function openRunRecorder(store: RunStore, meta: RecorderMeta): Promise<RunRecorder> {
  const run = await store.createRun({
    config: meta.config,
    labels: meta.labels,
    environment: {
      ...collectEnvironment({
        toolVersion: meta.toolVersion,
        targetUrl: meta.targetUrl,
        modelId: meta.modelId,
        engine: meta.engine,
        engineVersion: meta.engineVersion,
      }),
      ...meta.extra,
    },
  });
  // Committed at the end of the event-loop turn each record finished in: a kill -9 loses at most the requests that
  // finished in that one turn (requests.jsonl, written line by line, keeps even those).
  const writer = createRequestWriter(store, run.id, { flushMs: 0 });
  return {
    runId: run.id,
    add: (record) => writer.add(record),
    async addQuality(records) {
      await writer.flush();
      await store.setRequestQuality(run.id, records.flatMap((r) => (r.quality && !r.warmup ? [{ index: r.index, quality: r.quality }] : [])));
    },
    checkpoint(results) {
      // A failed checkpoint only loses what the next one or the finish writes; the finish reports store trouble.
      store.checkpointRun(run.id, { summary: results.summary, results }).catch(() => undefined);
    },
    async finish(status, results, samples) {
      await writer.flush();
      if (samples.length > 0) await store.appendServerSamples(run.id, samples);
      await store.finishRun(run.id, { status, summary: results.summary, results });
    },
    close: () => writer.close(),
  };
}
