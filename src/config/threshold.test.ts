import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.js';
import { evaluateThresholds, parseThreshold, parseThresholds } from './threshold.js';
import { makeRecord } from '../../test/support/record-builder.js';
import { summarize } from '../stats/summary.js';

test('parses latency thresholds with durations (bare numbers are ms)', () => {
  assert.deepEqual(parseThreshold('ttft.p95<500ms'), {
    expr: 'ttft.p95<500ms', metric: 'ttft.p95', path: ['ttft_ms', 'p95'], op: '<', value: 500, unit: 'ms',
  });
  assert.equal(parseThreshold('tpot.p99<=80ms').op, '<=');
  assert.equal(parseThreshold('e2e.mean<2s').value, 2000);
  assert.equal(parseThreshold('itl.max < 250').value, 250);
  assert.deepEqual(parseThreshold('ttft.count>=100').unit, 'count');
});

test('accepts k6 spellings of statistics', () => {
  assert.equal(parseThreshold('ttft.p(95)<1s').metric, 'ttft.p95');
  assert.equal(parseThreshold('e2e.avg<1s').metric, 'e2e.mean');
  assert.equal(parseThreshold('e2e.med<1s').metric, 'e2e.p50');
  assert.equal(parseThreshold('ttft.p(99.9)<1s').metric, 'ttft.p999');
});

test('parses rate, throughput, goodput and error-class thresholds', () => {
  assert.deepEqual(parseThreshold('error_rate<0.01').path, ['errors', 'error_rate']);
  assert.equal(parseThreshold('error_rate<1%').value, 0.01);
  assert.deepEqual(parseThreshold('throughput.output_tokens_per_s>100').path, ['throughput', 'output_tokens_per_s']);
  assert.deepEqual(parseThreshold('goodput.attainment>=0.9').path, ['goodput', 'attainment']);
  assert.deepEqual(parseThreshold('errors.http_5xx==0').path, ['errors', 'by_class', 'http_5xx']);
});

test('rejects bad expressions, listing the allowed forms', () => {
  for (const bad of ['', 'ttft<500ms', 'ttft.p97<500ms', 'latency.p95<1s', 'ttft.p95 500ms', 'ttft.p95<fast',
    'error_rate<lots', 'throughput.rps>1', 'ttft.p95=>1s']) {
    assert.throws(
      () => parseThreshold(bad),
      (err: unknown) => err instanceof ConfigError && err.field === '--threshold' && /METRIC OP VALUE/.test(err.message),
      bad,
    );
  }
  assert.throws(() => parseThresholds(['ttft.p95<1s', 'nope']), (err: unknown) => err instanceof ConfigError && err.field === '--threshold[1]');
});

const summary = summarize(
  [
    makeRecord({ t_send: 0, chunks: [100, 150, 200], t_end: 1000 }),
    makeRecord({ t_send: 0, chunks: [300, 310], t_end: 1000 }),
    makeRecord({ t_send: 0, ok: false, error: { class: 'http_5xx', message: 'boom', status: 500 }, t_end: 1000 }),
  ],
  { slo: { ttft_ms: 200 } },
);

test('evaluates thresholds against the summary', () => {
  const out = evaluateThresholds(
    parseThresholds(['ttft.max<=300ms', 'error_rate<0.5', 'goodput.attainment>=0.5', 'errors.timeout_ttft==0', 'errors.http_5xx<1']),
    summary,
  );
  assert.equal(out.passed, false);
  assert.deepEqual(out.results.map((r) => [r.expr, r.actual, r.ok]), [
    ['ttft.max<=300ms', 300, true],
    ['error_rate<0.5', 1 / 3, true],
    ['goodput.attainment>=0.5', 1 / 3, false],
    ['errors.timeout_ttft==0', 0, true],
    ['errors.http_5xx<1', 1, false],
  ]);
  assert.equal(evaluateThresholds(parseThresholds(['throughput.requests_per_s>1']), summary).passed, true);
});

test('a metric without a value fails its threshold and says why', () => {
  const empty = summarize([]);
  const out = evaluateThresholds(parseThresholds(['ttft.p95<500ms', 'goodput.attainment>0.9', 'cost.per_request<1']), empty);
  assert.equal(out.passed, false);
  assert.deepEqual(out.results.map((r) => [r.actual, r.ok]), [[null, false], [null, false], [null, false]]);
  assert.match(out.results[0]!.reason ?? '', /no samples/);
  assert.match(out.results[1]!.reason ?? '', /no SLO/);
  assert.match(out.results[2]!.reason ?? '', /no prices/);
});

test('no thresholds pass trivially', () => {
  assert.deepEqual(evaluateThresholds([], summary), { passed: true, results: [] });
});
