import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord } from '../../test/support/record-builder.js';
import { summarize } from '../stats/summary.js';
import { evaluateThresholds, parseThresholds } from '../config/threshold.js';
import { buildResults, parseResultsDocument, RESULTS_SCHEMA_VERSION, ResultsFormatError } from './results-document.js';
import type { ServerResults } from '../server-metrics/server-results.js';

const summary = summarize([makeRecord({ chunks: [100, 120, 140], t_end: 150 })], { slo: { ttft_ms: 500 } });
const doc = buildResults({
  id: 'run1',
  toolVersion: '9.9.9',
  startedAt: new Date('2025-01-02T03:04:05.000Z'),
  endedAt: '2025-01-02T03:05:05.000Z',
  config: { concurrency: 4 },
  target: { url: 'http://127.0.0.1:8000/v1', model: 'm', api: 'chat' },
  summary,
  thresholds: evaluateThresholds(parseThresholds(['ttft.p95<1s']), summary),
});

function get(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

test('the document carries every required key path', () => {
  const json = JSON.parse(JSON.stringify(doc)) as unknown;
  const paths = [
    'schema_version', 'run.id', 'run.tool_version', 'run.started_at', 'run.ended_at', 'run.config', 'run.target.url',
    'run.target.model', 'run.target.api', 'summary.requests.total', 'summary.requests.succeeded', 'summary.requests.failed',
    'summary.window_s', 'summary.throughput.requests_per_s', 'summary.throughput.output_tokens_per_s',
    'summary.throughput.total_tokens_per_s', 'summary.goodput.requests_per_s', 'summary.goodput.attainment',
    'summary.finish_reasons', 'summary.errors', 'summary.percentile_method',
  ];
  for (const metric of ['ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms']) {
    for (const stat of ['count', 'mean', 'std', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'p999']) paths.push(`summary.${metric}.${stat}`);
  }
  for (const p of paths) assert.notEqual(get(json, p), undefined, p);
  assert.equal(get(json, 'schema_version'), RESULTS_SCHEMA_VERSION);
  assert.equal(get(json, 'run.started_at'), '2025-01-02T03:04:05.000Z');
  assert.equal(get(json, 'run.tool_version'), '9.9.9');
  assert.equal(get(json, 'thresholds.passed'), true);
});

test('status defaults from fidelity; optional sections appear only when given', () => {
  assert.equal(doc.run.status, 'completed');
  assert.equal('server' in doc, false);
  const invalid = buildResults({
    id: 'x', startedAt: '', endedAt: '', config: {}, target: { url: 'u', model: 'm', api: 'completions' },
    summary: { ...summary, fidelity: { ...fidelityOk(), valid: false, invalid_reasons: ['schedule lag p99 120 ms > 50 ms'] } },
    server: { scraped: true } as unknown as ServerResults,
  });
  assert.equal(invalid.run.status, 'invalid');
  assert.deepEqual(invalid.server, { scraped: true } as unknown as ServerResults);
  assert.equal(typeof buildResults({ ...invalid.run, id: 'y', startedAt: '', endedAt: '', summary }).run.tool_version, 'string');
});

test('parseResultsDocument accepts our documents and rejects other versions', () => {
  assert.equal(parseResultsDocument(JSON.parse(JSON.stringify(doc))).run.id, 'run1');
  assert.throws(() => parseResultsDocument({ ...doc, schema_version: 2 }), ResultsFormatError);
  assert.throws(() => parseResultsDocument([]), /schema_version/);
  assert.throws(() => parseResultsDocument({ schema_version: 1, run: {} }), /"summary"/);
});

function fidelityOk() {
  return {
    schedule_lag_ms: { p50: 0.2, p99: 1, max: 2 }, event_loop_lag_ms: { p50: 0.1, p99: 0.5, max: 1 }, achieved_rate: 5,
    target_rate: 5, late_requests: 0, client_cpu: 0.2, valid: true, invalid_reasons: [] as string[],
  };
}
