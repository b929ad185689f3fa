import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantileSupport } from '../src/server-metrics/histogram-window.js';
import { histogramQuantile, locateQuantile } from '../src/server-metrics/promql.js';
import { parseExposition } from '../src/server-metrics/parse/parse-exposition.js';
import { crossCheck } from '../src/server-metrics/cross-check.js';
import { summarizeServerMetrics } from '../src/server-metrics/window.js';
import { formatServerSection } from '../src/report/console-server.js';

/** vLLM's default bucket bounds (vllm/v1/metrics/loggers.py), seconds. */
const REQUEST_PHASE = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const ITL = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const TTFT = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];

/** Cumulative buckets for a list of observations (seconds). */
function bucketsOf(bounds: number[], values: number[]) {
  return [...bounds, Infinity].map((le) => ({ le, count: values.filter((v) => v <= le).length }));
}

/** A vLLM histogram family in text form. */
function histText(name: string, bounds: number[], values: number[]): string {
  const l = 'model_name="m",engine="0"';
  const lines = [`# TYPE ${name} histogram`];
  for (const b of bucketsOf(bounds, values)) lines.push(`${name}_bucket{${l},le="${b.le === Infinity ? '+Inf' : b.le}"} ${b.count}`);
  lines.push(`${name}_count{${l}} ${values.length}`, `${name}_sum{${l}} ${values.reduce((a, b) => a + b, 0)}`);
  return lines.join('\n') + '\n';
}

test('locateQuantile gives the bucket behind every histogramQuantile value', () => {
  for (const values of [[0.0001, 0.0002, 0.29], [0.35, 0.4, 0.45, 0.6, 0.7, 3, 9], [8000, 9000]]) {
    const bs = bucketsOf(REQUEST_PHASE, values);
    for (const q of [0, 0.1, 0.5, 0.9, 0.99, 1]) {
      const at = locateQuantile(q, bs)!;
      assert.equal(at.value, histogramQuantile(q, bs), `q ${q} of ${values}`);
      // q = 0 over an empty first bucket is 0/0, NaN in PromQL too.
      if (Number.isNaN(at.value)) continue;
      assert.ok(at.value >= at.lower && at.value <= Math.min(at.upper, 7680), `${at.value} in [${at.lower}, ${at.upper}]`);
    }
  }
  assert.equal(locateQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }]), null, 'no observations');
  assert.equal(locateQuantile(1.5, bucketsOf(ITL, [0.02])), null);
});

test('a quantile in the first bucket is only bounded: queue times of 0.1 ms give "p50 150 ms" in PromQL, here "< 300 ms"', () => {
  const queue = Array.from({ length: 40 }, () => 0.0001);
  const s = quantileSupport(0.5, bucketsOf(REQUEST_PHASE, queue))!;
  assert.deepEqual(s, { status: 'bounded', lower_ms: 0, upper_ms: 300, bucket: 'first' });
  assert.equal(histogramQuantile(0.5, bucketsOf(REQUEST_PHASE, queue)), 0.15, 'the PromQL value stays available');
  // Inter-token gaps of 0.6 ms: PromQL says p50 5 ms.
  assert.deepEqual(quantileSupport(0.5, bucketsOf(ITL, Array(100).fill(0.0006))), { status: 'bounded', lower_ms: 0, upper_ms: 10, bucket: 'first' });
});

test('narrow inner buckets resolve; wide ones and +Inf only bound', () => {
  const ttft = Array.from({ length: 100 }, (_, i) => 0.041 + i * 0.00015); // 41-56 ms, inside (40, 60] ms
  assert.deepEqual(quantileSupport(0.5, bucketsOf(TTFT, ttft)), { status: 'resolved', lower_ms: 40, upper_ms: 60, bucket: 'inner' });
  const wide = Array(100).fill(0.12); // (100, 250] ms: 2.5x wide
  assert.deepEqual(quantileSupport(0.5, bucketsOf(TTFT, wide)), { status: 'bounded', lower_ms: 100, upper_ms: 250, bucket: 'inner' });
  const beyond = Array(100).fill(9000);
  assert.deepEqual(quantileSupport(0.99, bucketsOf(REQUEST_PHASE, beyond)), { status: 'bounded', lower_ms: 7680000, upper_ms: null, bucket: 'overflow' });
  // SGLang's queue-time buckets start at le="0.0": requests that never queued are exactly 0, resolved; the next
  // bucket, (0, 100] ms, only bounds.
  const SGLANG_QUEUE = [0, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 10];
  assert.deepEqual(quantileSupport(0.5, bucketsOf(SGLANG_QUEUE, Array(10).fill(0))), { status: 'resolved', lower_ms: 0, upper_ms: 0, bucket: 'first' });
  assert.deepEqual(quantileSupport(0.5, bucketsOf(SGLANG_QUEUE, Array(10).fill(0.03))), { status: 'bounded', lower_ms: 0, upper_ms: 100, bucket: 'inner' });
  // A 2x bucket (2.5, 5] s still resolves.
  assert.equal(quantileSupport(0.5, bucketsOf(REQUEST_PHASE, Array(10).fill(3)))!.status, 'resolved');
});

test('the window summary carries the judgement per quantile, and the console renders from it', () => {
  const queue = Array(40).fill(0.0001);
  const itl = Array(400).fill(0.0006);
  const e2e = [...Array(20).fill(3.2), ...Array(20).fill(4.1)];
  const text = (n: number) =>
    histText('vllm:request_queue_time_seconds', REQUEST_PHASE, queue.slice(0, n)) +
    histText('vllm:inter_token_latency_seconds', ITL, itl.slice(0, n * 10)) +
    histText('vllm:e2e_request_latency_seconds', REQUEST_PHASE, e2e.slice(0, n)) +
    '# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name="m",engine="0"} 4\n';
  const s = summarizeServerMetrics([
    { t_ms: 0, families: parseExposition(text(0)) },
    { t_ms: 1000, families: parseExposition(text(40)) },
  ]);
  const q = s.queue_ms!;
  assert.equal(q.p50, 150, 'PromQL-equivalent value kept');
  assert.equal(q.p99, 297);
  assert.deepEqual(q.quantile_support, {
    p50: { status: 'bounded', lower_ms: 0, upper_ms: 300, bucket: 'first' },
    p90: { status: 'bounded', lower_ms: 0, upper_ms: 300, bucket: 'first' },
    p99: { status: 'bounded', lower_ms: 0, upper_ms: 300, bucket: 'first' },
  });
  assert.equal(s.e2e_ms!.quantile_support!.p50!.status, 'resolved');
  assert.equal(s.requests_running!.samples, 2);

  const server = { ...s, cross_check: crossCheck(s, {}) };
  const id = (x: string) => x;
  const lines = formatServerSection(server, { dim: id, yellow: id, green: id }).join('\n');
  assert.match(lines, /queue +mean 0\.1 ms {3}p50, p99 < 300 ms \(first bucket\)/);
  assert.match(lines, /itl +mean 0\.6 ms {3}p50, p99 < 10 ms \(first bucket\)/);
  assert.doesNotMatch(lines, /p50 150/);
  assert.match(lines, /e2e +mean 3650\.0 ms {3}p50 \d+\.\d {3}p99 \d+\.\d {2}\(bucket interpolation\)/);
  // Two scrapes (both edges of the run): no mean to show.
  assert.match(lines, /running +max 4\.0 {2}\(2 scrapes: too few for a mean/);
  assert.doesNotMatch(lines, /running +mean/);
});
