/**
 * The Pareto frontier of configurations: a point is on it when no other point is at least as good on both axes
 * and better on one. Throughput is maximised; the second axis is maximised (per-user speed) or minimised
 * (latency) as the caller says.
 */
export interface ParetoPoint {
  /** Throughput, e.g. output tokens/s (higher is better). */
  x: number | null;
  /** Per-user speed or latency. */
  y: number | null;
}

/**
 * Indices of the non-dominated points, in input order; points with a missing or non-finite axis are never on it.
 *
 * @example paretoFront([{ x: 10, y: 50 }, { x: 20, y: 80 }, { x: 15, y: 90 }], 'min') // [0, 1]
 */
export function paretoFront(points: readonly ParetoPoint[], y: 'min' | 'max'): number[] {
  const ok = (p: ParetoPoint): p is { x: number; y: number } => p.x !== null && p.y !== null && Number.isFinite(p.x) && Number.isFinite(p.y);
  const better = (a: number, b: number): boolean => (y === 'min' ? a < b : a > b);
  const front: number[] = [];
  points.forEach((p, i) => {
    if (!ok(p)) return;
    const dominated = points.some((q, j) => {
      if (j === i || !ok(q)) return false;
      const atLeast = q.x >= p.x && (q.y === p.y || better(q.y, p.y));
      return atLeast && (q.x > p.x || better(q.y, p.y));
    });
    if (!dominated) front.push(i);
  });
  return front;
}
