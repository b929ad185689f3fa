/**
 * What a sweep costs besides its measurements: the server's idle time between one step's last answer and the
 * next step's first request, and the wall time of a capacity search against a fixed grid of the same resolution.
 * Usage: npm run bench:sweep
 *
 * The timing test server has 2 slots and holds each for 20 ms + 9 x 5 ms, so its capacity is 2 / 0.065 = 30.8
 * req/s; the grid covers 10-45 req/s in steps of 1.5 (the search's final bracket is about that wide).
 */
import { runSweep } from '../src/sweep/run-sweep.js';
import { startTimingServer } from '../test/support/timing-server.js';

const REQUESTS = 60;

async function main(): Promise<void> {
  const server = await startTimingServer({ slots: 2, behavior: { ttftMs: 20, itlMs: 5, outputTokens: 10 }, recordBodies: false });
  const benchmark = { url: server.url, model: 'test-model', requests: REQUESTS, outputTokens: '10', arrival: 'constant' as const, slo: 'ttft=60ms', scrape: false, probe: false };
  try {
    let t0 = performance.now();
    const search = await runSweep({ benchmark, axis: { kind: 'rate', values: [20] }, capacity: { attainment: 0.9 } });
    const searchS = (performance.now() - t0) / 1000;
    const gaps = idleGaps(server.requests, search.steps.length);

    const grid: number[] = [];
    for (let r = 10; r <= 45; r += 1.5) grid.push(r);
    server.requests.length = 0;
    t0 = performance.now();
    const full = await runSweep({ benchmark, axis: { kind: 'rate', values: grid } });
    const gridS = (performance.now() - t0) / 1000;
    const gridCapacity = Math.max(...full.steps.filter((s) => (s.summary.goodput.attainment ?? 0) >= 0.9).map((s) => ('rate' in s.load ? s.load.rate : 0)));
    const gridGaps = idleGaps(server.requests, full.steps.length);

    const c = search.capacity!;
    console.log(`capacity by hand: ${(2 / 0.065).toFixed(1)} req/s (2 slots, 65 ms per request)`);
    console.log(`capacity search: ${c.requests_per_s?.toFixed(2)} req/s (bracket ${c.bracket.map((x) => x?.toFixed(2)).join('-')}), ${search.steps.length} steps, ${searchS.toFixed(1)} s wall`);
    console.log(`fixed grid (${grid.length} steps of 1.5 req/s): ${gridCapacity.toFixed(1)} req/s, ${gridS.toFixed(1)} s wall (${(gridS / searchS).toFixed(1)}x the search)`);
    console.log(`server idle between steps (last answer -> next request): search p50 ${pct(gaps, 0.5)} ms max ${pct(gaps, 1)} ms; grid p50 ${pct(gridGaps, 0.5)} ms max ${pct(gridGaps, 1)} ms`);
  } finally {
    await server.close();
  }
}

/** Requests arrive step by step, REQUESTS each: the gap from a step's last write to the next step's first arrival. */
function idleGaps(all: ReadonlyArray<{ path: string; receivedAt: number; writes: number[] }>, steps: number): number[] {
  // Only the measured requests: the session's start-up look-ups (/version, /metrics) are not a step's.
  const requests = all.filter((r) => r.path.endsWith('/chat/completions'));
  const gaps: number[] = [];
  for (let k = 1; k < steps; k++) {
    const prev = requests.slice((k - 1) * REQUESTS, k * REQUESTS);
    const next = requests.slice(k * REQUESTS, (k + 1) * REQUESTS);
    if (prev.length === 0 || next.length === 0) break;
    const lastAnswer = Math.max(...prev.map((r) => r.writes.at(-1) ?? r.receivedAt));
    gaps.push(Math.min(...next.map((r) => r.receivedAt)) - lastAnswer);
  }
  return gaps.sort((a, b) => a - b);
}

function pct(xs: number[], q: number): string {
  if (xs.length === 0) return '-';
  return xs[Math.min(xs.length - 1, Math.floor(q * (xs.length - 1)))]!.toFixed(1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
