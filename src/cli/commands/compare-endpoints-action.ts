import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkEvent } from '../../benchmark/events.js';
import { runEndpoints, type EndpointsOptions } from '../../endpoints/run-endpoints.js';
import { formatEndpointProgress, formatEndpoints } from '../../endpoints/format-endpoints.js';
import { EXIT } from '../exit-codes.js';
import { interruptible } from '../interruptible.js';

/**
 * Runs the comparison: a line per finished endpoint on stderr, the leaderboard (or endpoints.json with --json) on
 * stdout. Ctrl-C stops after the run in progress keeps its finished requests; a second Ctrl-C exits at once.
 */
export async function runEndpointsCommand(options: EndpointsOptions, io: { json: boolean; outDir?: string }): Promise<number> {
  const stderr = process.stderr;
  const onEvent = (e: BenchmarkEvent): void => {
    if (e.type === 'warning') stderr.write(`warning: ${e.message}\n`);
  };
  return interruptible('the run in progress keeps its finished requests; no further endpoints', async (signal) => {
    const doc = await runEndpoints(options, { onEvent, signal, onRow: (row) => stderr.write(`${formatEndpointProgress(row)}\n`) });
    if (io.outDir) {
      mkdirSync(io.outDir, { recursive: true });
      writeFileSync(join(io.outDir, 'endpoints.json'), JSON.stringify(doc, null, 2) + '\n');
    }
    if (io.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    else {
      process.stdout.write(formatEndpoints(doc) + '\n');
      if (options.benchmark.db !== undefined || io.outDir) {
        stderr.write(`each run is labelled endpoints=${doc.id}: inferscope compare <run> <run> tests the difference between two endpoints\n`);
      }
    }
    return doc.status === 'completed' ? EXIT.ok : EXIT.interrupted;
  });
}
