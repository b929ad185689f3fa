/**
 * `bench --workers N`: N client processes, each with its own event loop and connections, run shards k/N of the one
 * schedule from a shared start instant; their records are merged as `inferscope merge` does, and the run is kept
 * as any bench run is (store, --out, summary, --json). The per-worker fidelity is in `run.config.merged_shards`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchmarkOptions } from '../../benchmark/options.js';
import { resolveBenchmarkConfig } from '../../benchmark/resolve-config.js';
import { ConfigError } from '../../config/errors.js';
import { evaluateThresholds } from '../../config/threshold.js';
import { formatSummary } from '../../report/console.js';
import { loadRuns } from '../../results/load-run.js';
import { EXIT } from '../exit-codes.js';
import { mergeAndSave } from './merge-action.js';

/** Flags each worker must not get from the parent's command line (it gets its own). */
const PARENT_ONLY = new Map<string, boolean>([
  ['--workers', true], ['--out', true], ['--db', true], ['--html', true], ['--csv', true], ['--no-db', false], ['--json', false], ['--shard', true], ['--start-at', true],
]);

function workerArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (PARENT_ONLY.has(name)) {
      if (PARENT_ONLY.get(name) && !a.includes('=')) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

export async function runWorkersCommand(
  workers: number,
  options: BenchmarkOptions,
  io: { json: boolean; color: boolean; out?: string },
): Promise<number> {
  const config = resolveBenchmarkConfig(options);
  if (!options.url) throw new ConfigError('--workers', '--workers needs --url (or $OPENAI_BASE_URL): the embedded engine runs beside a single client');
  if (config.shard) throw new ConfigError('--workers', '--workers runs the shards itself: leave out --shard');
  const stderr = process.stderr;
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-workers-'));
  try {
    // Time for every worker to start and resolve its target before the shared start.
    const startAt = new Date(Date.now() + 2000 + 300 * workers).toISOString();
    const args = workerArgs(process.argv.slice(3));
    stderr.write(`${workers} workers, each a shard of the schedule, start together at ${startAt}\n`);
    const results = await Promise.all(
      Array.from({ length: workers }, (_, k) =>
        runWorker([process.argv[1]!, 'bench', ...args, '--url', options.url!, '--workers', '1', '--shard', `${k}/${workers}`, '--start-at', startAt, '--out', join(dir, String(k)), '--no-db', '--json']),
      ),
    );
    results.forEach((r, k) => {
      if (r.code !== 0 && r.code !== EXIT.gate) throw new Error(`worker ${k} of ${workers} failed (exit ${r.code}):\n${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
    });
    const runs = await loadRuns(results.map((_, k) => join(dir, String(k))));
    const merged = await mergeAndSave(runs, {
      db: options.db ?? null,
      ...(io.out ? { out: io.out } : {}),
      labels: { ...(options.labels ?? {}), workers: String(workers) },
      finish: (doc) => {
        if (config.thresholds.length > 0) doc.thresholds = evaluateThresholds(config.thresholds, doc.summary);
      },
    });
    if (io.json) process.stdout.write(JSON.stringify(merged, null, 2) + '\n');
    else {
      process.stdout.write(formatSummary(merged, { color: io.color }));
      const statuses = runs.map((r, k) => `${k}: ${r.results.summary.fidelity?.status ?? '-'}`).join(', ');
      stderr.write(`merged ${workers} workers into run ${merged.run.id}; worker fidelity ${statuses}\n`);
    }
    if (merged.summary.outcome?.failed || merged.thresholds?.passed === false) return EXIT.gate;
    return merged.run.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runWorker(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-8000)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr: err }));
  });
}
