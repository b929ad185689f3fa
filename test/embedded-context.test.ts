import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmark } from '../src/benchmark/run-benchmark.js';
import { contextForWorkload } from '../src/benchmark/engine-context.js';
import { createSyntheticWorkload } from '../src/workload/synthetic.js';
import { parseLengthSpec } from '../src/workload/length-spec.js';
import { runCli } from './support/cli.js';

test("the README's --input-tokens 1000 runs on the embedded engine: its context is sized from the workload", async () => {
  const events: string[] = [];
  const result = await runBenchmark(
    { inputTokens: '1000', outputTokens: '16', requests: 4, concurrency: 2, scrape: false },
    { onEvent: (e) => void (e.type === 'phase' && e.phase === 'starting-engine' && events.push(e.detail ?? '')) },
  );
  const s = result.results.summary;
  assert.equal(s.requests.failed, 0, JSON.stringify(s.errors));
  assert.equal(s.requests.succeeded, 4);
  assert.match(events.join(' '), /context \d+ tokens per sequence, sized from the workload/);
});

test('a context too small for the prompts: every request fails and the summary says why, in the server\'s words', async () => {
  const result = await runBenchmark({ inputTokens: '600', outputTokens: '16', requests: 2, concurrency: 1, scrape: false, engine: { preset: 'tiny', contextSize: 256 } });
  const s = result.results.summary;
  assert.equal(s.requests.failed, 2);
  assert.match(s.errors.examples.http_4xx ?? '', /maximum context length is 256 tokens|context size \(256 tokens\)/);
});

test('--ctx-size reaches the engine, and is checked as a positive integer', async () => {
  const bad = await runCli(['bench', '--ctx-size', 'lots', '--requests', '1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--ctx-size/);
  // More than the model was trained on: llama-server serves its training context, and the run says so.
  const big = await runCli(['bench', '--ctx-size', '4096', '--requests', '1', '--output-tokens', '4', '--no-scrape', '--no-db'], { timeoutMs: 120_000 });
  assert.equal(big.code, 0, big.stderr);
  if (/on llama-server/.test(big.stdout + big.stderr)) assert.match(big.stdout + big.stderr, /trained on 2048 tokens of context: the embedded engine serves 2048 per sequence, not 4096; longer requests fail/);
  const small = await runCli(['bench', '--ctx-size', '256', '--input-tokens', '600', '--output-tokens', '8', '--requests', '2', '--no-scrape', '--no-db'], { timeoutMs: 120_000 });
  assert.match(small.stdout, /first http_4xx: HTTP 400: .*(maximum context length is 256 tokens|context size \(256 tokens\))/);
});

test('sizing: bytes of the longest prompt plus its output and a template margin, rounded, within the bounds', () => {
  const workload = synthetic('1000');
  const sizing = contextForWorkload(workload, 50);
  assert.ok(sizing.needed > 1200 && sizing.needed < 12_000, `needed ${sizing.needed}`);
  assert.equal(sizing.contextSize % 1024, 0);
  assert.ok(sizing.contextSize >= sizing.needed);
  assert.equal(sizing.capped, false);
  const huge = contextForWorkload(synthetic('20000'), 3);
  assert.equal(huge.capped, true);
  assert.equal(huge.contextSize, 32_768);
});

function synthetic(input: string) {
  return createSyntheticWorkload({ inputTokens: parseLengthSpec(input, 'input'), outputTokens: parseLengthSpec('200', 'output'), seed: 1, exactOutput: false });
}
