import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean } from './did-you-mean.js';
import { parseThreshold } from '../config/threshold.js';
import { parseMetricList } from '../compare/thresholds.js';

test('did you mean: the closest names within a third of the length, swaps counted once', () => {
  assert.equal(didYouMean('ttft.p59', ['ttft.p50', 'ttft.p95', 'tpot.p95']), ' (did you mean ttft.p50 or ttft.p95?)');
  assert.equal(didYouMean('ttft.p9', ['ttft.p90', 'tpot.p95']), ' (did you mean ttft.p90?)');
  assert.equal(didYouMean('eror_rate', ['error_rate', 'goodput']), ' (did you mean error_rate?)');
  assert.equal(didYouMean('banana', ['ttft.p50', 'error_rate']), '');
});

test('threshold and compare metric names suggest the intended one', () => {
  assert.throws(() => parseThreshold('ttft.p59<500ms'), /unknown metric "ttft\.p59" \(did you mean ttft\.p50 or ttft\.p95/);
  assert.throws(() => parseThreshold('eror_rate<0.01'), /did you mean error_rate\?/);
  assert.throws(() => parseMetricList('ttfr'), /unknown metric "ttfr" \(did you mean ttft/);
});

test('one metric-name scheme: thresholds and compare accept each other\'s spelling', () => {
  assert.equal(parseThreshold('ttft_p95<500ms').metric, 'ttft.p95');
  assert.equal(parseThreshold('output_tokens_per_s>5').metric, 'throughput.output_tokens_per_s');
  assert.equal(parseThreshold('goodput_attainment>=0.9').metric, 'goodput.attainment');
  assert.deepEqual(parseMetricList('throughput.output_tokens_per_s'), ['output_tokens_per_s']);
  assert.deepEqual(parseMetricList('ttft.p99'), ['ttft_p99']);
  assert.deepEqual(parseMetricList('goodput.attainment'), ['goodput_attainment']);
});
