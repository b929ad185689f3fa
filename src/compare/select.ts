/**
 * Exact quantiles without a full sort: quickselect in place, O(n) on average. For the point values of
 * very large samples (a 100k-request run has millions of ITL gaps), where sorting would dominate.
 */

/**
 * numpy 'linear' (type 7) quantiles of `values`, the same figures `describe` reports. Reorders `values`.
 * `qs` must be ascending. NaN for an empty array.
 *
 * @example selectQuantiles(Float64Array.from([4, 1, 3, 2]), [0.5]) // [2.5]
 */
export function selectQuantiles(values: Float64Array, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => Number.NaN);
  const out: number[] = [];
  let from = 0;
  for (const q of qs) {
    const h = (n - 1) * Math.min(1, Math.max(0, q));
    const lo = Math.floor(h);
    select(values, Math.max(from, 0), n - 1, lo);
    const a = values[lo] as number;
    let b = a;
    if (lo + 1 < n) {
      // After selecting lo, everything right of it is >= a[lo]; the next order statistic is its minimum.
      b = Infinity;
      for (let i = lo + 1; i < n; i++) if ((values[i] as number) < b) b = values[i] as number;
    }
    out.push(a + (h - lo) * (b - a));
    from = lo;
  }
  return out;
}

/**
 * Rearranges a[left..right] so a[k] is the k-th smallest, smaller ones before it and larger ones after.
 * Three-way partitioning keeps runs of equal values (quantized timings) linear.
 */
function select(a: Float64Array, left: number, right: number, k: number): void {
  while (right > left) {
    const mid = (left + right) >>> 1;
    const x = a[left] as number;
    const y = a[mid] as number;
    const z = a[right] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // a[left..lt-1] < pivot, a[lt..i-1] == pivot, a[gt+1..right] > pivot.
    let lt = left;
    let i = left;
    let gt = right;
    while (i <= gt) {
      const v = a[i] as number;
      if (v < pivot) swap(a, lt++, i++);
      else if (v > pivot) swap(a, i, gt--);
      else i++;
    }
    if (k < lt) right = lt - 1;
    else if (k > gt) left = gt + 1;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}
