/**
 * A run that keeps no (or sampled) records (`--records sample:R|none`) writes its histograms and counts to
 * `aggregate.json` beside results.json every few seconds, so a crash or `kill -9` loses at most the requests of the
 * last interval: the run is rebuilt from the checkpoint as an interrupted run, as requests.jsonl rebuilds one that
 * kept its records.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeAggregate } from '../stats/aggregate-summary.js';
import type { Prices } from '../stats/cost.js';
import { RunAggregate, type SerializedAggregate } from '../stats/run-aggregate.js';
import { buildResults, type ResultsDocument, type ResultsTarget } from './results-document.js';

export const CHECKPOINT_FILE = 'aggregate.json';
/** How often a running step rewrites its checkpoint. */
export const CHECKPOINT_EVERY_MS = 5000;

export interface AggregateCheckpoint {
  run_id: string;
  started_at: string;
  written_at: string;
  clock_epoch_ms: number;
  config: unknown;
  target: ResultsTarget;
  aggregate: SerializedAggregate;
}

/** The results a checkpoint stands for: the run's figures up to it, as an interrupted run. */
export function checkpointResults(cp: AggregateCheckpoint, endedAt: string | Date = cp.written_at): ResultsDocument {
  const prices = (cp.config as { prices?: Prices } | null)?.prices;
  const aggregate = RunAggregate.fromJSON(cp.aggregate);
  return buildResults({
    id: cp.run_id,
    startedAt: cp.started_at,
    endedAt,
    clockEpochMs: cp.clock_epoch_ms,
    config: cp.config,
    target: cp.target,
    summary: summarizeAggregate(aggregate, prices ? { prices } : {}),
    status: 'interrupted',
    aggregate: cp.aggregate,
  });
}

/** The interrupted run a checkpoint file stands for (its figures up to the checkpoint). */
export function resultsFromCheckpoint(dir: string): { results: ResultsDocument; note: string } {
  const path = join(dir, CHECKPOINT_FILE);
  const cp = JSON.parse(readFileSync(path, 'utf8')) as AggregateCheckpoint;
  const results = checkpointResults(cp, cp.written_at ?? statSync(path).mtime);
  return { results, note: `${dir} has no results.json (the run did not finish); figures are rebuilt from its last checkpoint (${cp.written_at}, ${results.summary.requests.total} measured requests)` };
}
