import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../src/compare/compare-runs.js';
import { formatCompare } from '../src/compare/format.js';
import { simulatedRun } from './support/simulate-run.js';

const spec = { requests: 400, concurrency: 8, ttftMs: 80, itlMs: 20, outputTokens: 16 };

test('a change held back only by client timing noise says so, with the noise level', () => {
  const report = compareRuns(simulatedRun({ ...spec, seed: 1 }), simulatedRun({ ...spec, seed: 2 }), { resamples: 200 });
  const m = report.metrics.find((x) => x.metric === 'itl_mean')!;
  m.verdict = 'no_significant_change';
  m.note = "|change| 2.00 ms is within the client's timing noise (3.00 ms event-loop delay)";
  m.noise_floor_ms = 3;
  const text = formatCompare(report, { color: false });
  assert.match(text, /within client timing noise \(3\.00 ms\)/);
});

test('a load option left at its default and the same value set explicitly are not a difference', () => {
  // An older run stored no concurrency (it ran at the default, 4); the candidate names 4 explicitly.
  const base = simulatedRun({ ...spec, seed: 1 }, { config: { inputTokens: '256', outputTokens: '128', concurrency: undefined } });
  const candidate = simulatedRun({ ...spec, seed: 2 }, { config: { inputTokens: '256', outputTokens: '128', concurrency: 4, warmup: 0 } });
  const report = compareRuns(base, candidate, { resamples: 100 });
  assert.ok(!report.warnings.some((w) => /concurrency|warm-up/.test(w.message)), JSON.stringify(report.warnings));
  const other = simulatedRun({ ...spec, seed: 2 }, { config: { inputTokens: '256', outputTokens: '128', concurrency: 8 } });
  assert.ok(compareRuns(base, other, { resamples: 100 }).warnings.some((w) => /concurrency differs: base 4, candidate 8/.test(w.message)));
});

test('the ITL mean is held to the timing noise spread over a request\'s gaps, as TPOT is; single gaps (ITL p50) to the whole of it', () => {
  const lagged = (itlMs: number, seed: number) => {
    const run = simulatedRun({ ...spec, itlMs, seed });
    // A client whose event loop lagged 3-8 ms: more than the 2 ms change of a single gap.
    run.results.summary.fidelity = { ...run.results.summary.fidelity, event_loop_lag_ms: { p50: 3, p99: 5, max: 8 } } as typeof run.results.summary.fidelity;
    return run;
  };
  const report = compareRuns(lagged(2, 1), lagged(4, 2), { resamples: 200 });
  const verdict = (k: string) => report.metrics.find((x) => x.metric === k)!;
  assert.equal(verdict('tpot_mean').verdict, 'regressed');
  // 15 gaps per request telescope: (last - first) / 15, each end late by at most ~4 ms, bounds the mean's error at ~0.27 ms.
  assert.equal(verdict('itl_mean').verdict, 'regressed', JSON.stringify(verdict('itl_mean')));
  assert.ok(verdict('itl_mean').noise_floor_ms! < 0.5);
  assert.equal(verdict('itl_p50').verdict, 'no_significant_change');
  assert.match(formatCompare(report, { color: false }), /ITL p50 .* within client timing noise \(4\.\d\d ms\)/);
});
