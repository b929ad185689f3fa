import type { RequestRecord } from '../measure/record.js';
import type { ResultsDocument } from '../results/results-document.js';
import type { LoadedRun } from './types.js';

/**
 * What `compare` takes of a loaded run (from the results loader, a report, or a fresh benchmark).
 *
 * @example compareRuns(toLoadedRun(await loadRun('base/')), toLoadedRun(await loadRun('cand/')))
 */
export function toLoadedRun(run: {
  label: string;
  source?: string;
  results: ResultsDocument;
  records: readonly RequestRecord[] | null;
  notes?: string[];
}): LoadedRun {
  const r = run.results.run;
  const results: LoadedRun['results'] = { id: r.id, tool_version: r.tool_version, status: r.status, config: r.config, target: r.target, summary: run.results.summary };
  if (run.results.server !== undefined) results.server = run.results.server;
  return {
    label: run.label,
    source: run.source ?? run.label,
    results,
    records: run.records && run.records.length > 0 ? [...run.records] : null,
    notes: run.notes ?? [],
  };
}
