import type { BenchmarkEvent } from '../../benchmark/events.js';
import { runSweep, type SweepOptions } from '../../sweep/run-sweep.js';
import { formatSweep } from '../../sweep/format-sweep.js';
import { perUserSpeed } from '../../sweep/sweep-document.js';
import { EXIT } from '../exit-codes.js';
import { interruptible } from '../interruptible.js';

/**
 * The sweep command: a line per finished step on stderr, the table (or sweep.json with --json) on stdout.
 * First Ctrl-C stops the sweep after the step in progress keeps its finished requests; a second exits at once.
 */
export async function runSweepCommand(options: SweepOptions, io: { json: boolean; html?: string }): Promise<number> {
  const stderr = process.stderr;
  // Auto loads and a capacity search choose their steps as they go: no total to show.
  const total = options.axis.auto || options.capacity ? null : options.axis.values.length * (options.repeat ?? 1);
  const onEvent = (e: BenchmarkEvent): void => {
    if (e.type === 'warning') stderr.write(`warning: ${e.message}\n`);
    if (e.type === 'phase' && e.phase === 'starting-engine') stderr.write(`starting the embedded engine (${e.detail ?? ''})...\n`);
    if (e.type === 'target') stderr.write(`target ${e.url} model ${e.model}${e.embedded ? ' (embedded engine)' : ''}\n`);
  };
  return interruptible('the step in progress keeps its finished requests; no further steps', async (signal) => {
    const doc = await runSweep(options, {
      onEvent,
      signal,
      onStep: (step) => {
        const load = 'concurrency' in step.load ? `concurrency ${step.load.concurrency}` : `rate ${step.load.rate}/s`;
        const s = step.summary;
        const f = (x: number | null, d: number): string => (x === null ? '-' : x.toFixed(d));
        stderr.write(
          `step ${step.index + 1}${total === null ? '' : `/${total}`} ${load}: ${f(s.throughput.requests_per_s, 2)} req/s, ${f(s.throughput.output_tokens_per_s, 1)} out tok/s, ` +
            `${f(perUserSpeed(step), 1)} tok/s/user, TTFT p50 ${f(s.ttft_ms.p50, 1)} ms, errors ${s.errors.total} (run ${step.run_id})\n`,
        );
      },
    });
    if (io.html) {
      const { writeSweepReport } = await import('../../report/html/render-sweep.js');
      const { bytes } = writeSweepReport([{ label: doc.id, sweep: doc }], io.html, { generatedAt: new Date().toISOString() });
      stderr.write(`wrote ${io.html} (${(bytes / 1e6).toFixed(2)} MB)\n`);
    }
    if (io.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    else process.stdout.write(formatSweep(doc) + '\n');
    if (!io.json) {
      const where = options.outDir ? `${options.outDir}/sweep.json` : options.benchmark.db ? `the store (sweep ${doc.id})` : null;
      const draw = io.html ? '' : `inferscope report ${options.outDir ?? doc.id} --html sweep.html draws it; `;
      if (where) stderr.write(`saved to ${where}; next: ${draw}each step is a run labelled sweep=${doc.id}: inferscope compare <run> <run> compares two steps\n`);
    }
    return doc.status === 'completed' ? EXIT.ok : EXIT.interrupted;
  });
}
