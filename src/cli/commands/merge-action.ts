import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuns } from '../../results/load-run.js';
import { mergeShards } from '../../results/merge-shards.js';
import { diagnoseRun } from '../../analysis/diagnose-run.js';
import type { ResultsDocument } from '../../results/results-document.js';
import type { StoredRun } from '../../results/stored-run.js';
import { formatSummary } from '../../report/console.js';
import { defaultDbPath } from '../../store/default-path.js';
import { collectEnvironment } from '../../store/environment.js';
import { newRunId } from '../../store/ids.js';
import { openStore } from '../../store/open-store.js';
import { TOOL_VERSION } from '../../version.js';

/**
 * Merges shards and keeps the result: recorded in the store (when `db`), written to `out` (results.json and
 * requests.jsonl). Merged first, recorded after: a bad set of shards leaves no run behind.
 */
export async function mergeAndSave(
  runs: readonly StoredRun[],
  dest: { db: string | null; out?: string; labels?: Record<string, string>; finish?: (results: ResultsDocument) => void },
): Promise<ResultsDocument> {
  const draft = mergeShards(runs, newRunId());
  let results = draft.results;
  const diagnose = (doc: ResultsDocument): void => {
    doc.diagnosis = diagnoseRun({ summary: doc.summary, records: draft.records });
    dest.finish?.(doc);
  };
  if (dest.db) {
    const store = await openStore(dest.db);
    try {
      const t = results.run.target;
      const run = await store.createRun({
        config: results.run.config,
        labels: dest.labels ?? { merged: `${runs.length} shards` },
        environment: collectEnvironment({ toolVersion: TOOL_VERSION, targetUrl: t.url, modelId: t.model }),
      });
      results = { ...results, run: { ...results.run, id: run.id } };
      diagnose(results);
      for (let i = 0; i < draft.records.length; i += 1000) await store.appendRequests(run.id, draft.records.slice(i, i + 1000));
      await store.finishRun(run.id, { status: results.run.status === 'running' ? 'completed' : results.run.status, summary: results.summary, results });
    } finally {
      await store.close();
    }
  } else {
    diagnose(results);
  }
  if (dest.out) {
    mkdirSync(dest.out, { recursive: true });
    writeFileSync(join(dest.out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(dest.out, 'requests.jsonl'), draft.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  return results;
}

export async function mergeCommand(refs: readonly string[], flags: { out?: string; db?: string | false; json?: boolean }): Promise<void> {
  const db = flags.db === false ? null : (flags.db ?? defaultDbPath());
  const runs = await loadRuns(refs, db ? { db } : {});
  const results = await mergeAndSave(runs, { db, ...(flags.out ? { out: flags.out } : {}) });
  if (flags.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else {
    process.stdout.write(formatSummary(results, { color: process.stdout.isTTY === true }));
    process.stderr.write(`merged ${runs.length} shards into run ${results.run.id}${db ? ` (recorded in ${db})` : ''}${flags.out ? `; wrote ${flags.out}` : ''}\n`);
  }
}
