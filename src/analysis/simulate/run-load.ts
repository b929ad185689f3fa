import type { RequestRecord } from '../../measure/record.js';
import type { ResultsDocument } from '../../results/results-document.js';
import type { SimLoad } from './run-sim.js';

/** A measured run to fit costs on: its results and its records. */
export interface CalibrationRun {
  id: string;
  results: ResultsDocument;
  records: readonly RequestRecord[];
  /** Runs of one group (a sweep's steps) at the same load are repeats: a check pools their records. */
  group?: string;
}

/** The load a measured run ran under, from its stored configuration; null when it does not say. */
export function runLoad(run: CalibrationRun): SimLoad | null {
  const c = run.results.run.config as Record<string, unknown> | null;
  if (!c || typeof c !== 'object') return null;
  if (typeof c.concurrency === 'number') return { kind: 'concurrency', concurrency: c.concurrency };
  if (typeof c.rate === 'number') {
    const arrival = c.arrival === 'constant' || c.arrival === 'gamma' ? c.arrival : 'poisson';
    return { kind: 'rate', rate: c.rate, arrival, burstiness: typeof c.burstiness === 'number' ? c.burstiness : 1, maxConcurrency: null, rampUpS: 0 };
  }
  return null;
}

/** Sequences the embedded engine ran at once, from the run's configuration; null for other targets. */
export function runMaxSeqs(run: CalibrationRun): number | null {
  const c = run.results.run.config as { engine?: { parallel?: unknown } } | null;
  const p = run.results.run.target.embedded ? c?.engine?.parallel : undefined;
  return typeof p === 'number' && p > 0 ? p : null;
}

/**
 * Items gathered by their run's load, in order of first appearance; runs without a known load are left out. Runs
 * pool only with runs of the same `poolKey` (null: the run stays alone), e.g. a sweep's repeats of one load.
 */
export function gatherByLoad<T>(items: readonly T[], runOf: (item: T) => CalibrationRun, poolKey: (run: CalibrationRun) => string | null): Array<{ load: SimLoad; members: T[] }> {
  const out: Array<{ key: string | null; load: SimLoad; members: T[] }> = [];
  for (const item of items) {
    const run = runOf(item);
    const load = runLoad(run);
    if (!load) continue;
    const pool = poolKey(run);
    const key = pool !== null ? `${pool}\u0000${JSON.stringify(load)}` : null;
    const same = key !== null ? out.find((g) => g.key === key) : undefined;
    if (same) same.members.push(item);
    else out.push({ key, load, members: [item] });
  }
  return out.map(({ load, members }) => ({ load, members }));
}
