/**
 * Capacity search: the highest load (request rate or concurrency) whose SLO attainment holds, found by
 * bracketing (doubling up from the start, or halving down when the start already fails) and then bisection,
 * each probe a full measured step. Assumes attainment falls as load rises, which holds for a server up to noise;
 * the answer comes with its bracket so the uncertainty is visible.
 */

export interface CapacitySearchOptions {
  axis: 'rate' | 'concurrency';
  /** Load of the first probe. */
  start: number;
  /** Share of requests that must meet every SLO (0-1]. */
  attainment: number;
  /** Stop bisecting when (hi - lo) / lo is at most this. Concurrency stops at adjacent integers anyway. */
  tolerance: number;
  /** Most probes (steps) the search may run. */
  maxProbes: number;
}

export interface CapacityProbe {
  load: number;
  /** Measured attainment; null when the step had no requests to judge. */
  attainment: number | null;
  pass: boolean;
  /** Index of the sweep step that measured it. */
  step: number;
}

export interface CapacityAnswer {
  axis: 'rate' | 'concurrency';
  /** Highest load that passed; null when even the smallest tried failed. */
  value: number | null;
  /** [highest passing, lowest failing]; either end null when the search never reached it. */
  bracket: [number | null, number | null];
  attainment_target: number;
  probes: CapacityProbe[];
  /** Why the search stopped: converged, max_probes, no_passing_load, no_failing_load, stopped. */
  stopped_by: 'converged' | 'max_probes' | 'no_passing_load' | 'no_failing_load' | 'stopped';
}

/** Smallest loads tried when halving down: below these the answer is "none". */
const MIN_RATE = 0.01;
/** Rate doubling stops here, concurrency doubling at MAX_CONCURRENCY: "no failing load" past them. */
const MAX_RATE = 1_000_000;
const MAX_CONCURRENCY = 100_000;

/**
 * Runs the search, calling `measure(load)` for each probe (which runs one sweep step). `measure` returning null
 * stops the search (the user interrupted it).
 *
 * @example await searchCapacity({ axis: 'rate', start: 1, attainment: 0.99, tolerance: 0.05, maxProbes: 12 }, runStepAt)
 */
export async function searchCapacity(
  o: CapacitySearchOptions,
  measure: (load: number) => Promise<{ attainment: number | null; step: number } | null>,
): Promise<CapacityAnswer> {
  const probes: CapacityProbe[] = [];
  let lo: number | null = null;
  let hi: number | null = null;
  const int = o.axis === 'concurrency';
  const answer = (stopped_by: CapacityAnswer['stopped_by']): CapacityAnswer => ({
    axis: o.axis,
    value: lo,
    bracket: [lo, hi],
    attainment_target: o.attainment,
    probes,
    stopped_by,
  });
  const probe = async (load: number): Promise<boolean | null> => {
    const m = await measure(load);
    if (m === null) return null;
    const pass = m.attainment !== null && m.attainment >= o.attainment;
    probes.push({ load, attainment: m.attainment, pass, step: m.step });
    if (pass) lo = lo === null ? load : Math.max(lo, load);
    else hi = hi === null ? load : Math.min(hi, load);
    return pass;
  };

  // Bracket.
  let x = int ? Math.max(1, Math.round(o.start)) : o.start;
  const first = await probe(x);
  if (first === null) return answer('stopped');
  if (first) {
    while (hi === null) {
      if (probes.length >= o.maxProbes) return answer('max_probes');
      x *= 2;
      if (x > (int ? MAX_CONCURRENCY : MAX_RATE)) return answer('no_failing_load');
      if ((await probe(x)) === null) return answer('stopped');
    }
  } else {
    while (lo === null) {
      if (probes.length >= o.maxProbes) return answer('max_probes');
      x = int ? Math.floor(x / 2) : x / 2;
      if (int ? x < 1 : x < MIN_RATE) return answer('no_passing_load');
      if ((await probe(x)) === null) return answer('stopped');
    }
  }

  // Bisect between the highest pass and the lowest failure.
  for (;;) {
    const [a, b] = [lo as number | null, hi as number | null];
    if (a === null || b === null) return answer('converged');
    // A pass above a failure is noise at the boundary: the bracket already says how wide it is.
    if (a >= b) return answer('converged');
    if (int ? b - a <= 1 : (b - a) / a <= o.tolerance) return answer('converged');
    if (probes.length >= o.maxProbes) return answer('max_probes');
    const mid = int ? Math.floor((a + b) / 2) : (a + b) / 2;
    if ((await probe(mid)) === null) return answer('stopped');
  }
}
