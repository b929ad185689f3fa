import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearlyFailing, runOutcome } from '../src/stats/outcome.js';
import { runBenchmark } from '../src/benchmark/run-benchmark.js';
import { startTimingServer, type TimingBehavior } from './support/timing-server.js';
import { runCli } from './support/cli.js';

test('the verdict: all failed, above the limit, or stopped early; the breaker needs numbers beyond doubt', () => {
  assert.equal(runOutcome({ total: 40, failed: 40, errorRate: 1 }, 0.1, false).reason, 'all 40 requests failed');
  assert.match(runOutcome({ total: 40, failed: 8, errorRate: 0.2 }, 0.1, false).reason!, /8 of 40 requests failed \(20%, above --max-error-rate 10%\)/);
  assert.equal(runOutcome({ total: 40, failed: 4, errorRate: 0.1 }, 0.1, false).failed, false);
  assert.equal(runOutcome({ total: 0, failed: 0, errorRate: null }, 0.1, false).failed, false);
  assert.match(runOutcome({ total: 25, failed: 15, errorRate: 0.6 }, 0.1, true).reason!, /^stopped early: 15 of 25/);
  assert.equal(clearlyFailing(19, 19, 0.1), false, 'too few to judge');
  assert.equal(clearlyFailing(20, 10, 0.1), true);
  assert.equal(clearlyFailing(100, 14, 0.1), false, '14% of 100 is not beyond doubt above 10%');
  assert.equal(clearlyFailing(400, 80, 0.1), true);
});

/** Every k-th request (1-based) answers HTTP 500; the rest stream normally. */
function failingEvery(k: number): (req: unknown) => TimingBehavior {
  let n = 0;
  return () => (++n % k === 0 ? { httpStatus: 500 } : { ttftMs: 2, itlMs: 1, outputTokens: 4 });
}

test('a run where every request fails exits 3 and says so; results.json carries the verdict', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-outcome-'));
  const server = await startTimingServer({ behavior: { httpStatus: 500 }, recordBodies: false });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const r = await runCli(['bench', '--url', server.url, '--model', 'test-model', '--requests', '12', '--no-probe', '--no-scrape', '--no-db', '--out', dir]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /RUN FAILED: all 12 requests failed/);
  const doc = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  assert.equal(doc.summary.outcome.failed, true);
  assert.equal(doc.summary.outcome.max_error_rate, 0.1);
});

test('the circuit breaker stops a run that is clearly failing and keeps what finished', async (t) => {
  const server = await startTimingServer({ behavior: failingEvery(2), recordBodies: false });
  t.after(() => server.close());
  const { results } = await runBenchmark({ url: server.url, model: 'test-model', requests: 400, concurrency: 2, outputTokens: '4', scrape: false, probe: false });
  const s = results.summary;
  assert.equal(s.outcome?.stopped_early, true);
  assert.equal(s.outcome?.failed, true);
  assert.ok(s.requests.total >= 20 && s.requests.total < 100, `stopped after ${s.requests.total} requests`);
  assert.equal(results.run.status, 'interrupted');
});

test('an error rate within --max-error-rate passes (exit 0); above it fails (exit 3)', async (t) => {
  const server = await startTimingServer({ behavior: failingEvery(10), recordBodies: false });
  t.after(() => server.close());
  const args = ['bench', '--url', server.url, '--model', 'test-model', '--requests', '40', '--output-tokens', '4', '--no-probe', '--no-scrape', '--no-db'];
  const ok = await runCli([...args, '--max-error-rate', '20%']);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  server.setBehavior(failingEvery(10));
  const strict = await runCli([...args, '--max-error-rate', '0.05']);
  assert.equal(strict.code, 3, strict.stderr);
  assert.match(strict.stdout, /RUN FAILED: 4 of 40 requests failed \(10%, above --max-error-rate 5\.0%\)/);
  const bad = await runCli([...args, '--max-error-rate', '150%']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-error-rate/);
});
