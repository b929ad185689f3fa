import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFigures } from '../src/report/html/summary-figures.js';
import { syntheticRun } from './support/synthetic-run.js';

test("the fidelity card stays one line: a run that is not valid points to its reasons under Outcomes", () => {
  const run = syntheticRun({ requests: 50 });
  const fidelity: Record<string, unknown> = {};
  (run.results.summary as unknown as Record<string, unknown>).fidelity = fidelity;
  const card = () => runFigures(run.results).find((f) => f.title === 'Load fidelity')!;
  Object.assign(fidelity, { valid: true, status: 'valid', timing_uncertainty_ms: 0.4, degraded_reasons: [], invalid_reasons: [] });
  assert.equal(card().sub, 'timestamps +/- 0.40 ms');
  const long = 'timestamps may be late by up to 7.1 ms (event-loop delay p99 while streaming), 718% of the mean ITL';
  Object.assign(fidelity, { status: 'degraded', timing_uncertainty_ms: 7.14, degraded_reasons: [long, long] });
  assert.deepEqual([card().value, card().sub, card().tone], ['degraded', 'timestamps +/- 7.14 ms; 2 reasons under Outcomes', 'warn']);
  Object.assign(fidelity, { valid: false, status: 'invalid', degraded_reasons: [], invalid_reasons: [long] });
  assert.deepEqual([card().value, card().sub, card().tone], ['invalid', 'timestamps +/- 7.14 ms; why under Outcomes', 'bad']);
});
