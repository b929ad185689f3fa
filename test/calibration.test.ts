import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmark } from '../src/benchmark/run-benchmark.js';
import { startTimingServer } from './support/timing-server.js';

/** A tokenizer unlike the client's: one token per two characters. */
const halfChars = (text: string): number => Math.ceil(text.length / 2);
const promptOf = (body: Record<string, unknown> | null): string => (body as { messages: Array<{ content: string }> }).messages[0]!.content;

test("prompts are sized on the server's /tokenize: the server's count matches --input-tokens", async (t) => {
  const server = await startTimingServer({ tokenize: halfChars, behavior: { outputTokens: 4 } });
  t.after(() => server.close());
  const { results } = await runBenchmark({ url: server.url, model: 'test-model', inputTokens: '300', outputTokens: '4', requests: 12, scrape: false, probe: false });
  const c = (results.run.config as { inputCalibration?: { kind: string; ratio: number; error_pct: number } }).inputCalibration;
  assert.equal(c?.kind, 'vllm');
  assert.ok(c!.ratio > 1.5, `ratio ${c!.ratio}`);
  const prompts = server.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => halfChars(promptOf(r.body)));
  const mean = prompts.reduce((a, b) => a + b, 0) / prompts.length;
  assert.ok(Math.abs(mean - 300) / 300 < 0.05, `server counts ${mean.toFixed(1)} per prompt for a target of 300`);
});

test('--no-calibrate keeps client tokens; a server counting very differently is called out after the run', async (t) => {
  const server = await startTimingServer({ tokenize: halfChars, behavior: { outputTokens: 4, promptTokens: 900 } });
  t.after(() => server.close());
  const warnings: string[] = [];
  const { results } = await runBenchmark(
    { url: server.url, model: 'test-model', inputTokens: '300', outputTokens: '4', requests: 6, scrape: false, probe: false, calibrate: false },
    { onEvent: (e) => void (e.type === 'warning' && warnings.push(e.message)) },
  );
  assert.equal((results.run.config as { inputCalibration?: unknown }).inputCalibration, undefined);
  const mean = server.requests.filter((r) => r.path === '/v1/chat/completions').reduce((a, r) => a + halfChars(promptOf(r.body)), 0) / 6;
  assert.ok(mean > 450, `uncalibrated prompts are longer in the server's tokens: ${mean}`);
  assert.ok(warnings.some((w) => /counted 900 prompt tokens per request on average where the workload aimed at 300 \(\+200%\)/.test(w)), warnings.join('\n'));
});
