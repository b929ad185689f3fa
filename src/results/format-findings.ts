/** The console lines of a diagnosis, as the run summary and the sweep table print them. */
import type { Finding } from './findings.js';

type Paint = (text: string) => string;
const plain: Paint = (x) => x;

/**
 * "diagnosis    queueing (high): ..." then one line per further finding, each with its first advice ("try: ...")
 * unless healthy. `paint` colours the kind (healthy / a finding of medium or high confidence) and the advice.
 */
export function findingLines(findings: readonly Finding[], paint: { good?: Paint; warn?: Paint; dim?: Paint } = {}): string[] {
  const lines: string[] = [];
  findings.forEach((f, i) => {
    const head = i === 0 ? 'diagnosis    ' : '             ';
    const colour = f.kind === 'healthy' ? (paint.good ?? plain) : f.confidence === 'low' ? plain : (paint.warn ?? plain);
    lines.push(`${head}${colour(f.kind.replace(/_/g, ' '))} (${f.confidence}): ${f.title}`);
    if (f.advice[0] && f.kind !== 'healthy') lines.push((paint.dim ?? plain)(`               try: ${f.advice[0]}`));
  });
  return lines;
}
