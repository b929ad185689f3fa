import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuns } from '../../results/load-run.js';
import { mergeShards } from '../../results/merge-shards.js';
import { formatSummary } from '../../report/console.js';
import { defaultDbPath } from '../../store/default-path.js';
import { collectEnvironment } from '../../store/environment.js';
import { newRunId } from '../../store/ids.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import { TOOL_VERSION } from '../../version.js';

export async function mergeCommand(refs: readonly string[], flags: { out?: string; db?: string | false; json?: boolean }): Promise<void> {
  const dbPath = flags.db === false ? null : (flags.db ?? defaultDbPath());
  const runs = await loadRuns(refs, dbPath ? { db: dbPath } : {});
  // Merged first (it checks everything), recorded after: a bad set of shards leaves no run behind.
  const draft = mergeShards(runs, newRunId());
  let results = draft.results;
  if (dbPath) {
    const store = openSqliteStore(dbPath);
    try {
      const t = results.run.target;
      const run = store.createRun({
        config: results.run.config,
        labels: { merged: `${runs.length} shards` },
        environment: collectEnvironment({ toolVersion: TOOL_VERSION, targetUrl: t.url, modelId: t.model }),
      });
      results = mergeShards(runs, run.id).results;
      for (let i = 0; i < draft.records.length; i += 1000) store.appendRequests(run.id, draft.records.slice(i, i + 1000));
      store.finishRun(run.id, { status: results.run.status === 'running' ? 'completed' : results.run.status, summary: results.summary, results });
    } finally {
      store.close();
    }
  }
  if (flags.out) {
    mkdirSync(flags.out, { recursive: true });
    writeFileSync(join(flags.out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(flags.out, 'requests.jsonl'), draft.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  if (flags.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else {
    process.stdout.write(formatSummary(results, { color: process.stdout.isTTY === true }));
    process.stderr.write(`merged ${runs.length} shards into run ${results.run.id}${dbPath ? ` (recorded in ${dbPath})` : ''}${flags.out ? `; wrote ${flags.out}` : ''}\n`);
  }
}
