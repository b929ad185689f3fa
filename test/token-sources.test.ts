import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary, runBenchmark } from '../src/index.js';
import { startTimingServer } from './support/timing-server.js';

test('prompt tokens by source: server counts of succeeded requests are never added to estimates of failed ones', async () => {
  let n = 0;
  // Every third request is refused with a 400 (its prompt never processed); the rest report 100 prompt tokens.
  const server = await startTimingServer({
    behavior: () => (n++ % 3 === 2 ? { httpStatus: 400 } : { outputTokens: 3, promptTokens: 100 }),
  });
  try {
    const { results } = await runBenchmark({ url: server.url, model: 'test-model', requests: 9, concurrency: 1, inputTokens: '40', outputTokens: '3', scrape: false, probe: false });
    const t = results.summary.tokens;
    assert.equal(results.summary.requests.succeeded, 6);
    assert.equal(results.summary.requests.failed, 3);
    assert.deepEqual(t.input_by_source, { usage: { requests: 6, tokens: 600 }, tokenizer: { requests: 3, tokens: 120 } });
    assert.equal(t.input.total, 600, 'succeeded requests only, by the server');
    assert.equal(t.mean_input_per_request, 100);
    assert.equal(t.mean_output_per_request, 3);
    assert.match(formatSummary(results, { color: false }), /per request: input 100\.0, output 3\.0/);
  } finally {
    await server.close();
  }
});
