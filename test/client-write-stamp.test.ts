import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmark } from '../src/benchmark/run-benchmark.js';
import { formatSummary } from '../src/report/console.js';
import { startTimingServer } from './support/timing-server.js';

test("every request records when its bytes reached the socket; the summary shows the client's share of TTFT", async (t) => {
  const server = await startTimingServer({ behavior: { ttftMs: 15, itlMs: 2, outputTokens: 6 }, recordBodies: false });
  t.after(() => server.close());
  const { results, records } = await runBenchmark({ url: server.url, model: 'test-model', concurrency: 4, requests: 16, outputTokens: '6', scrape: false, probe: false });
  for (const r of records) {
    assert.ok(r.t_written !== undefined, `request ${r.index} has no t_written`);
    assert.ok(r.t_written >= r.t_send && r.t_written <= r.chunks[0]!.t, `t_send ${r.t_send} <= t_written ${r.t_written} <= first chunk ${r.chunks[0]!.t}`);
  }
  const w = results.summary.client_write_ms!;
  assert.equal(w.count, 16);
  assert.ok(w.p50! >= 0 && w.p50! < 15, `written ${w.p50} ms after send`);
  assert.match(formatSummary(results, { color: false }), /client share of TTFT: request written [\d.]+ ms \(p50\)/);
});
