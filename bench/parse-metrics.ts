/**
 * Parse speed of the exposition parser on a ~1 MB vLLM-like exposition (many data-parallel engines) and
 * on each fixture. Prints figures; the target is well under 50 ms for 1 MB.
 * Run: node --import tsx bench/parse-metrics.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseExposition } from '../src/server-metrics/parse/parse-exposition.js';
import { extractConcepts } from '../src/server-metrics/engines/extract.js';

const dir = new URL('../test/fixtures/metrics/', import.meta.url);

/** Repeats each family's series for engines 0..n-1 until the text reaches `bytes`. */
function bigExposition(bytes: number): string {
  const base = readFileSync(new URL('vllm-v1.txt', dir), 'utf8').split('\n');
  const out: string[] = [];
  let size = 0;
  let engine = 0;
  const perEngine = base.filter((l) => !l.startsWith('#') && l.includes('engine="0"'));
  const meta = base.filter((l) => l.startsWith('#'));
  out.push(...meta.slice(0, 2));
  while (size < bytes) {
    for (const line of perEngine) {
      const l = line.replace('engine="0"', `engine="${engine}"`);
      out.push(l);
      size += l.length + 1;
    }
    engine++;
  }
  return out.join('\n') + '\n';
}

function measure(label: string, text: string, runs: number, withExtract = false): void {
  for (let i = 0; i < 5; i++) parseExposition(text); // warm-up
  const times: number[] = [];
  let samples = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const fams = parseExposition(text);
    if (withExtract) extractConcepts(fams);
    times.push(performance.now() - t0);
    samples = fams.reduce((a, f) => a + f.samples.length, 0);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)]!;
  const mb = text.length / 1e6;
  console.log(
    `${label.padEnd(34)} ${(text.length / 1024).toFixed(0).padStart(6)} KiB ${String(samples).padStart(7)} samples` +
      `  p50 ${p50.toFixed(2).padStart(7)} ms  min ${times[0]!.toFixed(2).padStart(7)} ms  ${(mb / (p50 / 1000)).toFixed(0)} MB/s`,
  );
}

const big = bigExposition(1_000_000);
measure('1 MB vLLM-like (parse)', big, 40);
measure('1 MB vLLM-like (parse + extract)', big, 40, true);
for (const f of readdirSync(dir).sort()) measure(f, readFileSync(new URL(f, dir), 'utf8'), 200);
