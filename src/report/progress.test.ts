import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressState, formatProgress } from './progress.js';
import { makeRecord } from '../../test/support/record-builder.js';

test('progress: requests, rates, recent TTFT median and ETA from events alone', () => {
  const state = new ProgressState({ totalRequests: 100, durationS: null });
  state.onEvent({ type: 'phase', phase: 'measuring' }, 1000);
  for (let i = 0; i < 40; i++) {
    state.onEvent({ type: 'request', record: makeRecord({ index: i, t_send: 0, chunks: [30 + i, 40 + i, 50 + i] }) });
  }
  state.onEvent({ type: 'request', record: makeRecord({ index: 40, ok: false, chunks: [] }) });
  state.onEvent({ type: 'request', record: makeRecord({ index: 41, ok: false, error: { class: 'aborted', message: 'cut' }, chunks: [] }) });
  const s = state.snapshot(5000);
  assert.equal(s.done, 41);
  assert.equal(s.failed, 1);
  assert.equal(s.elapsedS, 4);
  assert.equal(s.reqPerS, 41 / 4);
  assert.equal(s.outTokPerS, (40 * 3) / 4);
  assert.equal(s.ttftP50Ms, 49.5);
  assert.ok(Math.abs(s.etaS! - 59 / (41 / 4)) < 1e-9);
  const line = formatProgress(s);
  assert.match(line, /^measuring \[#{8}\.{12}\] 41\/100 req  10\.3 req\/s  30 tok\/s  TTFT p50 49\.5 ms  1 failed  4\.0 s  ETA 6 s$/);
});

test('progress: a duration-bound run shows time left; the TTFT median keeps only recent requests', () => {
  const state = new ProgressState({ totalRequests: null, durationS: 60 });
  state.onEvent({ type: 'phase', phase: 'measuring' }, 0);
  for (let i = 0; i < 2000; i++) state.onEvent({ type: 'request', record: makeRecord({ index: i, t_send: 0, chunks: [i < 1000 ? 10 : 500] }) });
  const s = state.snapshot(15_000);
  assert.equal(s.etaS, 45);
  assert.equal(s.fraction, 0.25);
  assert.equal(s.ttftP50Ms, 500);
  assert.match(formatProgress(s), /2000 req .* ETA 45 s/);
});
