// test-lane: timing (checks timing against real servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmark } from '../src/benchmark/run-benchmark.js';
import { formatSummary } from '../src/report/console.js';
import { startTimingServer } from './support/timing-server.js';

test('a fixed rate above what the server can serve is called saturated, in plain words; a rate it serves is not', async (t) => {
  // One slot held 20 ms + 9 x 5 ms = 65 ms: at most 15.4 req/s.
  const server = await startTimingServer({ slots: 1, behavior: { ttftMs: 20, itlMs: 5, outputTokens: 10 }, recordBodies: false });
  t.after(() => server.close());
  const bench = (rate: number) =>
    runBenchmark({ url: server.url, model: 'test-model', rate, arrival: 'constant', requests: 48, outputTokens: '10', scrape: false, probe: false });
  const over = (await bench(30)).results;
  const s = over.summary.saturation!;
  assert.equal(s.saturated, true, JSON.stringify(s));
  assert.ok(s.offered_rate_per_s! > 27 && s.offered_rate_per_s! < 33, `offered ${s.offered_rate_per_s}`);
  assert.ok(s.served_rate_per_s! < 17, `served ${s.served_rate_per_s}`);
  assert.ok(Math.abs(over.summary.fidelity!.achieved_rate - 30) < 3, `achieved (send) rate ${over.summary.fidelity!.achieved_rate}`);
  assert.match(formatSummary(over, { color: false }), /SERVER SATURATED: the server did not keep up with the offered load: it served/);

  const fine = (await bench(6)).results;
  assert.equal(fine.summary.saturation!.saturated, false, JSON.stringify(fine.summary.saturation));
  assert.doesNotMatch(formatSummary(fine, { color: false }), /SATURATED/);
});

test('a client blocked while streams are open: the run says its timestamps cannot resolve the ITL', async (t) => {
  const server = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 5, outputTokens: 40 }, recordBodies: false });
  t.after(() => server.close());
  // Busy-wait 25 ms every 30 ms while the run streams: every timestamp may be up to 25 ms late.
  const stop = { done: false };
  const hog = setInterval(() => {
    const until = performance.now() + 25;
    while (performance.now() < until && !stop.done) {
      // spin
    }
  }, 30);
  t.after(() => clearInterval(hog));
  const { results } = await runBenchmark({ url: server.url, model: 'test-model', concurrency: 4, requests: 16, outputTokens: '40', scrape: false, probe: false });
  stop.done = true;
  clearInterval(hog);
  const f = results.summary.fidelity!;
  assert.notEqual(f.status, 'valid', JSON.stringify(f));
  assert.ok(f.timing_uncertainty_ms! >= 10, `uncertainty ${f.timing_uncertainty_ms}`);
  assert.match([...f.invalid_reasons, ...(f.degraded_reasons ?? [])].join(' '), /mean ITL/);
  assert.match(formatSummary(results, { color: false }), /timestamps \+\/- \d+\.\d ms/);
});

test('a rate sweep marks the saturated step, stops it early, and runs no higher rate', async (t) => {
  const server = await startTimingServer({ slots: 1, behavior: { ttftMs: 20, itlMs: 5, outputTokens: 10 }, recordBodies: false });
  t.after(() => server.close());
  const { runSweep } = await import('../src/sweep/run-sweep.js');
  const { formatSweep } = await import('../src/sweep/format-sweep.js');
  const doc = await runSweep({
    benchmark: { url: server.url, model: 'test-model', requests: 200, outputTokens: '10', arrival: 'constant', scrape: false, probe: false },
    axis: { kind: 'rate', values: [5, 40, 80] },
  });
  assert.equal(doc.status, 'completed');
  assert.equal(doc.saturated_at, 40);
  assert.deepEqual(doc.steps.map((s) => s.load), [{ rate: 5 }, { rate: 40 }]);
  assert.equal(doc.steps[0]!.summary.saturation!.saturated, false);
  assert.equal(doc.steps[1]!.summary.saturation!.saturated, true);
  assert.ok(doc.steps[1]!.summary.requests.total < 200, `stopped early after ${doc.steps[1]!.summary.requests.total} requests`);
  assert.match(formatSweep(doc), /SATURATED/);
  assert.match(formatSweep(doc), /stopped at 40 req\/s/);
});

test('auto loads: concurrency doubles until throughput stops growing; rates fill the range between the synchronous and the throughput step', async (t) => {
  // Two slots held 20 ms + 9 x 5 ms: one request at a time gets 15.4 req/s, two or more get 30.8 at most.
  const server = await startTimingServer({ slots: 2, behavior: { ttftMs: 20, itlMs: 5, outputTokens: 10 }, recordBodies: false });
  t.after(() => server.close());
  const { runSweep } = await import('../src/sweep/run-sweep.js');
  const benchmark = { url: server.url, model: 'test-model', requests: 32, outputTokens: '10', scrape: false, probe: false } as const;
  const conc = await runSweep({ benchmark, axis: { kind: 'concurrency', values: [], auto: true } });
  assert.equal(conc.status, 'completed');
  assert.deepEqual(conc.axis.values.slice(0, 3), [1, 2, 4]);
  const tput = conc.steps.map((s) => s.summary.throughput.output_tokens_per_s!);
  assert.ok(tput.at(-1)! < tput.at(-2)! * 1.05, `stopped at the plateau: ${tput.map((x) => x.toFixed(0)).join(', ')}`);
  assert.ok(conc.steps.length <= 5, `${conc.steps.length} steps`);

  const rate = await runSweep({ benchmark: { ...benchmark, arrival: 'constant' }, axis: { kind: 'rate', values: [], auto: true }, autoSteps: 2 });
  assert.deepEqual(rate.steps.slice(0, 2).map((s) => s.load), [{ concurrency: 1 }, { concurrency: 64 }]);
  const low = rate.steps[0]!.summary.throughput.requests_per_s!;
  const high = rate.steps[1]!.summary.throughput.requests_per_s!;
  assert.ok(high > low * 1.5, `throughput step ${high} vs synchronous ${low}`);
  const rates = rate.steps.slice(2).map((s) => (s.load as { rate: number }).rate);
  assert.ok(rates.length >= 1 && rates.every((r) => r > low && r < high), `rates ${rates.join(', ')} between ${low} and ${high}`);
});
