/**
 * The knee of a load sweep: the first step where latency grows faster than throughput, i.e. where the next
 * unit of load buys proportionally more waiting than work. Steps are in increasing load.
 */
export interface KneePoint {
  /** Throughput at the step (requests or output tokens per second). */
  throughput: number | null;
  /** A latency at the step (e.g. E2E or TTFT p50, ms). */
  latency: number | null;
}

export interface Knee {
  /** Index of the last step before latency starts to outgrow throughput. */
  index: number;
  /** Relative latency growth over relative throughput growth from this step to the next (> 1 past the knee). */
  elasticity: number;
}

/**
 * Finds the first step k where (latency[k+1]/latency[k] - 1) exceeds (throughput[k+1]/throughput[k] - 1) and the
 * latency rise is material (> 10%); null when latency never outgrows throughput or there are too few steps.
 *
 * @example findKnee([{ throughput: 10, latency: 100 }, { throughput: 19, latency: 110 }, { throughput: 21, latency: 200 }]) // { index: 1, ... }
 */
export function findKnee(steps: readonly KneePoint[]): Knee | null {
  for (let k = 0; k + 1 < steps.length; k++) {
    const a = steps[k]!;
    const b = steps[k + 1]!;
    if (!valid(a) || !valid(b)) continue;
    const latencyGrowth = b.latency / a.latency - 1;
    const throughputGrowth = Math.max(0, b.throughput / a.throughput - 1);
    if (latencyGrowth > 0.1 && latencyGrowth > throughputGrowth) {
      return { index: k, elasticity: throughputGrowth > 0 ? latencyGrowth / throughputGrowth : Infinity };
    }
  }
  return null;
}

function valid(p: KneePoint): p is { throughput: number; latency: number } {
  return p.throughput !== null && p.latency !== null && p.throughput > 0 && p.latency > 0 && Number.isFinite(p.throughput) && Number.isFinite(p.latency);
}
