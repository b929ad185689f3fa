/**
 * Least squares with non-negative coefficients for a handful of regressors (the cost terms of the simulator are
 * times, never negative): ordinary least squares on every subset of the columns, keeping the best fit whose
 * coefficients are all >= 0. Exponential in the number of columns, which is at most 3 here.
 * @returns one coefficient per column (0 for columns left out), or null with fewer rows than columns.
 */
export function nonNegativeLeastSquares(rows: readonly number[][], ys: readonly number[]): number[] | null {
  const k = rows[0]?.length ?? 0;
  if (k === 0 || rows.length < k) return null;
  let best: { coef: number[]; sse: number } | null = null;
  for (let mask = 1; mask < 1 << k; mask++) {
    const cols = Array.from({ length: k }, (_, i) => i).filter((i) => mask & (1 << i));
    const sub = solveOls(rows.map((r) => cols.map((c) => r[c]!)), ys);
    if (!sub || sub.some((c) => c < 0)) continue;
    const coef = new Array<number>(k).fill(0);
    cols.forEach((c, i) => (coef[c] = sub[i]!));
    let sse = 0;
    for (let r = 0; r < rows.length; r++) {
      let fit = 0;
      for (let c = 0; c < k; c++) fit += coef[c]! * rows[r]![c]!;
      sse += (ys[r]! - fit) ** 2;
    }
    if (best === null || sse < best.sse - 1e-12) best = { coef, sse };
  }
  return best?.coef ?? null;
}

/** Ordinary least squares through the normal equations (Gaussian elimination with partial pivoting). */
function solveOls(rows: readonly number[][], ys: readonly number[]): number[] | null {
  const k = rows[0]!.length;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let r = 0; r < rows.length; r++) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i]![j]! += rows[r]![i]! * rows[r]![j]!;
      a[i]![k]! += rows[r]![i]! * ys[r]!;
    }
  }
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    const scale = Math.max(...a.map((row) => Math.abs(row[col]!)), 1e-300);
    if (Math.abs(a[piv]![col]!) < 1e-9 * scale) return null;
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c <= k; c++) a[r]![c]! -= f * a[col]![c]!;
    }
  }
  return a.map((row, i) => row[k]! / row[i]!);
}

/**
 * Median regression (least absolute deviations) with non-negative coefficients, by iteratively reweighted least
 * squares: it fits the typical request, where least squares fits the mean that a few slow ones pull up (requests'
 * TPOT on a busy machine has a long right tail, and the simulator is checked on p50s).
 * @returns one coefficient per column, or null with fewer rows than columns.
 */
export function nonNegativeMedianRegression(rows: readonly number[][], ys: readonly number[], iterations = 30): number[] | null {
  let coef = nonNegativeLeastSquares(rows, ys);
  if (!coef) return null;
  const typical = ys.reduce((s, y) => s + Math.abs(y), 0) / Math.max(1, ys.length);
  // Residuals below this count as this: keeps the weights finite where the fit passes through a point.
  const floor = Math.max(1e-12, typical * 1e-4);
  for (let it = 0; it < iterations; it++) {
    const w = rows.map((r, i) => 1 / Math.sqrt(Math.max(floor, Math.abs(ys[i]! - r.reduce((s, x, c) => s + x * coef![c]!, 0)))));
    const next = nonNegativeLeastSquares(rows.map((r, i) => r.map((x) => x * w[i]!)), ys.map((y, i) => y * w[i]!));
    if (!next) break;
    const moved = next.reduce((s, x, c) => s + Math.abs(x - coef![c]!), 0);
    coef = next;
    if (moved <= floor) break;
  }
  return coef;
}
