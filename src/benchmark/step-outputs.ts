import type { RequestRecord } from '../measure/record.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { CHECKPOINT_FILE, checkpointResults, type AggregateCheckpoint } from '../results/aggregate-checkpoint.js';
import { writeJsonAtomic } from '../util/write-json-atomic.js';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ScrapeRecord } from '../server-metrics/index.js';
import type { ResultsDocument } from '../results/results-document.js';
import type { FinalRunStatus } from '../store/types.js';
import { TOOL_VERSION } from '../version.js';
import type { BenchmarkListener } from './events.js';
import { openJsonlWriter, type JsonlWriter } from './jsonl-writer.js';
import { openRunRecorder, type RunRecorder } from './run-recorder.js';
import { serverSamples, writeServerSamples } from './server-view.js';
import type { SessionContext } from './session-context.js';

/**
 * Where one step's results go: `requests.jsonl` (a line per finished request), the store (requests in batches),
 * and at the end results.json, server-samples.jsonl and the run's summary in the store. Both record outputs
 * subscribe to the session's record stream for the step's duration; they are opened before the first request, so an
 * unwritable --out or a broken --db fails before any traffic.
 */
export interface StepOutputs {
  readonly runId: string;
  /** Subscribe this to the session's events for the step. */
  readonly listener: BenchmarkListener;
  /** Whether checkpoints go anywhere (an --out directory or the store). */
  readonly checkpoints: boolean;
  /** Runs without every record: rewrite aggregate.json and the store's figures (a crash then loses at most one interval). */
  checkpoint(cp: AggregateCheckpoint): void;
  /** Answer scores, known only after the load: quality.jsonl beside requests.jsonl, and the stored requests. */
  quality(records: readonly RequestRecord[]): Promise<void>;
  finish(status: FinalRunStatus, results: ResultsDocument, scrapes: ScrapeRecord[]): Promise<void>;
  close(): Promise<void>;
}

export async function openStepOutputs(ctx: SessionContext, outDir: string | null, stepConfig: unknown, labels: Record<string, string>): Promise<StepOutputs> {
  const { target } = ctx;
  let jsonl: JsonlWriter | null = null;
  let recorder: RunRecorder | null = null;
  try {
    if (outDir) {
      mkdirSync(outDir, { recursive: true });
      jsonl = openJsonlWriter(join(outDir, 'requests.jsonl'));
    }
    recorder = ctx.store
      ? await openRunRecorder(ctx.store, {
          config: stepConfig,
          labels,
          toolVersion: TOOL_VERSION,
          targetUrl: target.url,
          modelId: target.model,
          engine: target.engine,
          engineVersion: target.info.version,
          extra: {
            model_owned_by: target.info.owned_by,
            engine_version_source: target.info.version_source,
            metrics_engines: ctx.serverView.engines(),
            ...(target.backend ? { engine_backend: target.backend } : {}),
            clock_epoch_ms: ctx.clock.epochMs,
          },
        })
      : null;
  } catch (err) {
    jsonl?.close();
    throw err;
  }
  const runId = recorder?.runId ?? randomUUID().replace(/-/g, '').slice(0, 10);
  let closed = false;
  return {
    runId,
    listener(event) {
      if (event.type !== 'request' || event.kept === false) return;
      jsonl?.write(event.record);
      recorder?.add(event.record);
    },
    checkpoints: outDir !== null || recorder !== null,
    checkpoint(cp) {
      if (outDir) writeJsonAtomic(join(outDir, CHECKPOINT_FILE), cp);
      recorder?.checkpoint(checkpointResults(cp));
    },
    async quality(records) {
      const scored = records.filter((r) => r.quality && !r.warmup);
      if (scored.length === 0) return;
      if (outDir) {
        const lines = scored.map((r) => JSON.stringify({ index: r.index, ...r.quality }));
        writeFileSync(join(outDir, 'quality.jsonl'), `${lines.join('\n')}\n`);
      }
      await recorder?.addQuality(scored);
    },
    async finish(status, results, scrapes) {
      if (outDir) {
        writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
        // results.json carries the final histograms; a stale checkpoint beside it would only mislead.
        rmSync(join(outDir, CHECKPOINT_FILE), { force: true });
        if (results.server) writeServerSamples(join(outDir, 'server-samples.jsonl'), scrapes);
      }
      await recorder?.finish(status, results, serverSamples(scrapes));
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        jsonl?.close();
      } finally {
        await recorder?.close();
      }
    },
  };
}
