import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord } from '../../test/support/record-builder.js';
import { summarize } from '../stats/summary.js';
import { evaluateThresholds, parseThresholds } from '../config/threshold.js';
import type { Fidelity } from '../measure/fidelity.js';
import { buildResults } from '../results/results-document.js';
import { formatSummary } from './console.js';

const records = [
  makeRecord({ index: 1, t_send: 0, chunks: [{ t: 50, reasoning: true }, 100, 150, 200], t_end: 210, output_tokens: 4 }),
  makeRecord({ index: 2, t_send: 100, chunks: [400, 420], t_end: 430, output_tokens: 2, finish_reason: 'length' }),
  makeRecord({ index: 3, t_send: 200, ok: false, error: { class: 'http_5xx', message: 'bad', status: 503 }, t_end: 300 }),
];
const fidelity: Fidelity = {
  schedule_lag_ms: { p50: 0.3, p99: 80, max: 90 }, event_loop_lag_ms: { p50: 0.1, p99: 3, max: 5 }, achieved_rate: 4.5,
  target_rate: 5, late_requests: 7, client_cpu: 0.97, valid: false, invalid_reasons: ['schedule lag p99 80 ms exceeds 50 ms'],
};
const summary = summarize(records, { slo: { ttft_ms: 200, tpot_ms: 60 }, fidelity, prices: { gpu_per_hour: 2 } });
const results = buildResults({
  id: 'abc123', toolVersion: '0.0.0', startedAt: new Date(0), endedAt: new Date(1000), config: {},
  target: { url: 'http://127.0.0.1:9/v1', model: 'tiny', api: 'chat' }, summary,
  thresholds: evaluateThresholds(parseThresholds(['ttft.p95<500ms', 'error_rate<0.01']), summary),
});

test('plain output holds the key rows, figures and definitions', () => {
  const text = formatSummary(results, { color: false });
  assert.doesNotMatch(text, /\u001b\[/, 'no ANSI without color');
  for (const row of ['TTFT', 'TPOT', 'ITL', 'E2E', 'TTFO']) assert.match(text, new RegExp(`^${row}\\s+\\d`, 'm'), row);
  assert.match(text, /^latency \(ms\)\s+count\s+mean\s+p50\s+p90\s+p95\s+p99\s+max$/m);
  assert.match(text, /^TTFT\s+2\s+175\.0\s+175\.0/m); // ttft 50 and 300
  assert.match(text, /error rate 33\.33% \(1 of 3 failed\)/);
  assert.match(text, /throughput\s+\d+\.\d+ req\/s/);
  assert.match(text, /goodput .*attainment 33\.33% \(1\/3\).*SLO ttft=200ms,tpot=60ms/);
  assert.match(text, /errors\s+http_5xx 1/);
  assert.match(text, /finish\s+stop 1, length 1/);
  assert.match(text, /fidelity\s+INVALID.*target 5\.00/);
  assert.match(text, /- schedule lag p99 80 ms exceeds 50 ms/);
  assert.match(text, /thresholds\s+FAIL/);
  assert.match(text, /pass\s+ttft\.p95<500ms\s+\(actual [\d.]+ ms\)/);
  assert.match(text, /FAIL\s+error_rate<0\.01\s+\(actual 0\.3333\)/);
  assert.match(text, /cost\s+total/);
  assert.match(text, /TPOT = \(t_last - t_first\) \/ \(N - n1\)/);
});

test('rows follow the header columns (aligned)', () => {
  const lines = formatSummary(results, { color: false }).split('\n');
  const header = lines.find((l) => l.startsWith('latency'))!;
  const ttft = lines.find((l) => l.startsWith('TTFT'))!;
  assert.equal(ttft.length, header.length);
});

test('color only when asked; sparse runs render without optional sections', () => {
  assert.match(formatSummary(results, { color: true }), /\u001b\[31mINVALID\u001b\[39m/);
  const bare = buildResults({
    id: 'x', toolVersion: '0', startedAt: new Date(0), endedAt: new Date(0), config: {},
    target: { url: 'u', model: 'm', api: 'completions' }, summary: summarize([]),
  });
  const text = formatSummary(bare, { color: false });
  assert.match(text, /^TTFT\s+0\s+-\s+-/m);
  assert.doesNotMatch(text, /goodput|fidelity|thresholds|TTFO|cost/);
  assert.match(text, /error rate n\/a/);
});
