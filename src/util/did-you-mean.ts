/**
 * "did you mean" for a mistyped name: the closest candidates by edit distance (Damerau: a swap counts once),
 * within a third of the name's length. Pure.
 *
 * @example didYouMean('ttft.p59', ['ttft.p50', 'ttft.p95', 'tpot.p95']) // ' (did you mean ttft.p95?)'
 */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const limit = Math.max(1, Math.floor(name.length / 3));
  const scored = candidates.map((c) => ({ c, d: distance(name.toLowerCase(), c.toLowerCase()) })).filter((x) => x.d <= limit);
  if (scored.length === 0) return '';
  const best = Math.min(...scored.map((x) => x.d));
  const names = scored.filter((x) => x.d === best).map((x) => x.c).slice(0, 3);
  return ` (did you mean ${names.join(' or ')}?)`;
}

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
