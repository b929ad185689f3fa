import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { oneOf, positiveInt } from '../parse-flags.js';
import type { ReportRun } from '../../report/html/chart-data.js';
import type { CompareTable } from '../../report/html/comparison-section.js';

interface ReportFlags {
  html?: string;
  csv?: string;
  db?: string;
  label?: string[];
  title?: string;
  compare: boolean;
  model?: string;
  gpu?: string;
  tp: number;
  dtype: 'bf16' | 'fp8' | 'int8' | 'int4';
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * `inferscope report RUN... --html FILE [--csv FILE] [--db PATH]`: re-renders recorded runs (results.json
 * paths, `bench --out` directories, or store references) without running anything. Two or more runs are
 * compared on one page.
 */
export function registerReport(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('Render an HTML report and/or a per-request CSV from recorded runs (2+ runs are compared)')
    .argument('<run...>', 'results.json path, bench --out directory, or stored run (id, id prefix, baseline name); or sweeps (sweep.json, sweep --out directory, stored sweep id), overlaid')
    .option('--html <file>', 'write a self-contained HTML report here')
    .option('--csv <file>', 'write one row per request of every run here')
    .option('--db <path|url>', 'SQLite file or postgres:// URL of stored runs (default: $INFERSCOPE_DB or the user data directory)')
    .option('--label <name>', 'label of the next run, in order (repeatable; default: directory name or run id)', collect)
    .option('--title <text>', 'page title')
    .option('--no-compare', 'with 2+ runs, skip the statistical comparison table (the first run is the base)')
    .option('--model <name|config.json|file.gguf>', 'with --gpu: a roofline chart per run, its decode and prefill against the roofs (also from run labels model= and gpu=)')
    .option('--gpu <name>', 'the GPU the runs ran on (inferscope roofline --list)')
    .option('--tp <n>', 'with --gpu: GPUs in tensor parallel (default 1)', positiveInt('--tp'), 1)
    .option('--dtype <type>', 'with --gpu: weight type bf16 | fp8 | int8 | int4', oneOf('--dtype', ['bf16', 'fp8', 'int8', 'int4'] as const), 'bf16')
    .action(async (refs: string[], f: ReportFlags) => {
      if (!f.html && !f.csv) throw new ConfigError('--html', 'report: nothing to write: give --html FILE and/or --csv FILE');
      if (f.label && f.label.length > refs.length) {
        throw new ConfigError('--label', `--label: ${f.label.length} labels given for ${refs.length} runs`);
      }
      if (await reportSweeps(refs, f)) return setExit(0);
      const { loadRuns } = await import('../../results/load-run.js');
      const loaded = await loadRuns(refs, f.db !== undefined ? { db: f.db } : {});
      const runs: ReportRun[] = loaded.map((run, i) => ({ label: f.label?.[i] ?? run.label, results: run.results, records: run.records ?? [] }));
      await addRooflines(runs, f);
      if (f.html) {
        const { writeHtmlReport } = await import('../../report/html/write-report.js');
        const compare = f.compare && runs.length >= 2 ? await compareTables(runs) : undefined;
        const { bytes } = writeHtmlReport(runs, f.html, {
          ...(f.title ? { title: f.title } : {}),
          ...(compare ? { compare } : {}),
          generatedAt: new Date().toISOString(),
        });
        process.stderr.write(`wrote ${f.html} (${(bytes / 1e6).toFixed(2)} MB, ${runs.length} run${runs.length === 1 ? '' : 's'})\n`);
      }
      if (f.csv) {
        const { writeReportCsv } = await import('../../report/html/request-rows-csv.js');
        const rows = writeReportCsv(runs, f.csv);
        process.stderr.write(`wrote ${f.csv} (${rows} requests)\n`);
      }
      // Rendering never fails a gate: the exit code stays 0 unless an error was thrown.
      setExit(0);
    });
}

/** Renders a sweep report when the references name sweeps; false when they name runs. */
async function reportSweeps(refs: string[], f: ReportFlags): Promise<boolean> {
  const { loadSweepIfAny } = await import('../../sweep/load-sweep.js');
  const found = refs.map((ref) => loadSweepIfAny(ref, f.db !== undefined ? { db: f.db } : {}));
  if (found.every((s) => s === null)) return false;
  const missing = refs.filter((_, i) => found[i] === null);
  if (missing.length > 0) throw new ConfigError('run', `report: ${missing.join(', ')}: not a sweep; give sweeps or runs, not both`);
  if (!f.html) throw new ConfigError('--html', 'report: a sweep report is HTML: give --html FILE');
  const { writeSweepReport } = await import('../../report/html/render-sweep.js');
  const sweeps = found.map((s, i) => ({ label: f.label?.[i] ?? s!.label, sweep: s!.sweep }));
  const { bytes } = writeSweepReport(sweeps, f.html, { ...(f.title ? { title: f.title } : {}), generatedAt: new Date().toISOString() });
  process.stderr.write(`wrote ${f.html} (${(bytes / 1e6).toFixed(2)} MB, ${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'})\n`);
  return true;
}

/** The first run is the base; every other run is compared with it. */
async function compareTables(runs: readonly ReportRun[]): Promise<CompareTable[]> {
  const { compareRuns } = await import('../../compare/compare-runs.js');
  const { compareTable } = await import('../../report/html/compare-table.js');
  const { toLoadedRun } = await import('../../compare/loaded-run.js');
  process.stderr.write(`comparing ${runs.length - 1 === 1 ? 'two runs' : `${runs.length - 1} runs with the first`} (bootstrap intervals; --no-compare skips this)\n`);
  const base = toLoadedRun(runs[0]!);
  return runs.slice(1).map((run) => compareTable(compareRuns(base, toLoadedRun(run))));
}

/** Each run's roofline view, when its model and GPU are known: the flags, else the run's labels model= and gpu=. */
async function addRooflines(runs: ReportRun[], f: ReportFlags): Promise<void> {
  if ((f.model === undefined) !== (f.gpu === undefined)) throw new ConfigError(f.model ? '--gpu' : '--model', 'a roofline chart needs both --model and --gpu');
  const labelsOf = (r: ReportRun): Record<string, string> => ((r.results.run.config as { labels?: Record<string, string> } | null)?.labels ?? {});
  if (!f.model && !runs.some((r) => labelsOf(r).model && labelsOf(r).gpu)) return;
  const { findGpu, loadModel } = await import('../../analysis/roofline-tables.js');
  const { rooflineView } = await import('../../analysis/roofline-view.js');
  for (const run of runs) {
    const model = f.model ?? labelsOf(run).model;
    const gpu = f.gpu ?? labelsOf(run).gpu;
    if (!model || !gpu) continue;
    const base = { model: await loadModel(model), gpu: findGpu(gpu), tp: f.tp, dtype: f.dtype, kvDtype: 'bf16' as const };
    run.roofline = rooflineView(base, run.results.summary, run.results.server?.requests_running?.mean ?? null);
  }
}
