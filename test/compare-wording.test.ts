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
