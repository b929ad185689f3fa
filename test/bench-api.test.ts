import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark } from '../src/index.js';
import { ConfigError } from '../src/config/errors.js';
import { startTimingServer, type TimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

let server: TimingServer;
before(async () => {
  server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 2, outputTokens: 6 } });
});
after(() => server.close());

const tmp = (): string => mkdtempSync(join(tmpdir(), 'inferscope-api-'));

test('open loop at a constant rate: achieved rate, schedule lag and the measured window', async () => {
  const { results, records } = await runBenchmark({ url: server.url, rate: 40, arrival: 'constant', requests: 40, outputTokens: '6', scrape: false });
  const s = results.summary;
  assert.equal(s.requests.succeeded, 40);
  assert.equal(records.length, 40);
  const f = s.fidelity!;
  assert.equal(f.target_rate, 40);
  // 40 requests 25 ms apart span 39 gaps = 0.975 s.
  assert.ok(Math.abs(f.achieved_rate - 40) < 4, `achieved ${f.achieved_rate}`);
  assert.ok(f.schedule_lag_ms.p50 < 5, `lag p50 ${f.schedule_lag_ms.p50}`);
  const sends = records.map((r) => r.t_sched).sort((a, b) => a - b);
  assert.ok(Math.abs(sends[39]! - sends[0]! - 975) < 1, 'intended times are exactly 25 ms apart');
  assert.ok(s.window_s > 0.97 && s.window_s < 1.3, `window ${s.window_s}`);
});

test('schedules are deterministic for a seed: same intended times and prompts', async () => {
  const run = async (seed: number) => {
    const before = server.requests.length;
    const { records } = await runBenchmark({ url: server.url, rate: 100, arrival: 'gamma', burstiness: 0.5, requests: 15, seed, inputTokens: '10:40', outputTokens: '4', scrape: false });
    const bodies = server.requests
      .slice(before)
      .filter((q) => q.path === '/v1/chat/completions' && (q.body as { max_tokens?: number }).max_tokens === 4)
      // The per-run nonce aside, the seed decides every prompt.
      .map((q) => JSON.stringify((q.body as { messages: unknown }).messages).replace(/Run \d{6}:\\n/, ''))
      .sort();
    assert.equal(bodies.length, 15);
    return { sched: records.map((r) => [r.index, r.t_sched] as const).sort((a, b) => a[0] - b[0]).map(([, t]) => t), bodies };
  };
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  // Intended times are relative to the measured start; equal up to that offset (and microsecond rounding).
  const rel = (xs: number[]) => xs.map((x) => x - xs[0]!);
  const [ra, rb] = [rel(a.sched), rel(b.sched)];
  assert.equal(ra.length, rb.length);
  ra.forEach((t, i) => assert.ok(Math.abs(t - rb[i]!) < 0.01, `request ${i}: ${t} vs ${rb[i]}`));
  assert.deepEqual(a.bodies, b.bodies);
  assert.notDeepEqual(a.bodies, c.bodies);
});

test('warm-up requests are sent first and excluded from every figure', async () => {
  const { results, records } = await runBenchmark({ url: server.url, concurrency: 2, requests: 6, warmup: 3, outputTokens: '6', scrape: false });
  assert.equal(records.filter((r) => r.warmup).length, 3);
  assert.equal(results.summary.requests.total, 6);
  assert.equal(results.summary.requests.warmup_excluded, 3);
  const firstMeasured = Math.min(...records.filter((r) => !r.warmup).map((r) => r.t_send));
  assert.ok(records.filter((r) => r.warmup).every((r) => r.t_end <= firstMeasured + 0.001), 'warm-up finished before measuring');
});

test('a JSONL dataset drives the prompts; a bad line is an error naming the line, or skipped on request', async () => {
  const dir = tmp();
  const file = join(dir, 'prompts.jsonl');
  writeFileSync(file, ['{"prompt": "first prompt", "max_tokens": 3}', '{"messages": [{"role": "user", "content": "second"}]}', '{oops', '{"prompt": "third"}'].join('\n'));
  await assert.rejects(runBenchmark({ url: server.url, dataset: file, requests: 3, scrape: false }), /prompts\.jsonl:3/);
  const bad = await runCli(['bench', '--url', server.url, '--dataset', file, '--requests', '3', '--no-scrape']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /prompts\.jsonl:3: invalid JSON/);
  const before = server.requests.length;
  const { results } = await runBenchmark({ url: server.url, dataset: file, skipBadLines: true, requests: 3, concurrency: 1, scrape: false });
  assert.equal(results.summary.requests.succeeded, 3);
  const sent = server.requests.slice(before).map((q) => JSON.stringify(q.body));
  assert.ok(sent.some((b) => b.includes('first prompt') && b.includes('"max_tokens":3')));
  assert.ok(sent.some((b) => b.includes('second')));
});

test('the completions API and errors of a misbehaving server become classified per-request errors', async () => {
  const flaky = await startTimingServer({
    behavior: (req) => {
      const n = Number(/Excerpt (\d+)/.exec(String((req.body as { prompt?: string } | null)?.prompt))?.[1] ?? -1);
      if (n % 4 === 1) return { httpStatus: 429 };
      if (n % 4 === 2) return { resetAfter: 2 };
      if (n % 4 === 3) return { malformedAfter: 1 };
      return { outputTokens: 5 };
    },
  });
  try {
    const { results } = await runBenchmark({ url: flaky.url, api: 'completions', concurrency: 4, requests: 16, outputTokens: '5', exactOutput: false, scrape: false });
    const s = results.summary;
    assert.equal(s.requests.total, 16);
    assert.equal(s.requests.succeeded, 4);
    assert.equal(s.errors.by_class.http_429, 4);
    assert.equal(s.errors.by_class.connection_reset, 4);
    assert.equal(s.errors.by_class.protocol_error, 4);
    assert.equal(s.errors.error_rate, 0.75);
    // Every POST but the start-up calibration's look for a /tokenize endpoint goes to the completions API.
    assert.ok(flaky.requests.filter((q) => q.method === 'POST' && q.path !== '/tokenize').every((q) => q.path === '/v1/completions'));
  } finally {
    await flaky.close();
  }
});

test('invalid options are rejected before any traffic, naming the field', async () => {
  const before = server.requests.length;
  await assert.rejects(runBenchmark({ url: server.url, inputTokens: '5:2', scrape: false }), (e: unknown) => e instanceof ConfigError && /--input-tokens/.test(e.message));
  await assert.rejects(runBenchmark({ url: server.url, requests: -1 } as never), (e: unknown) => e instanceof ConfigError && e.field === 'requests');
  await assert.rejects(runBenchmark({ url: server.url, bogus: 1 } as never), ConfigError);
  assert.equal(server.requests.length, before);
});

test('a server that rejects stream_options and ignore_eos still gets valid requests; counts fall back to the tokenizer', async () => {
  const strict = await startTimingServer({ behavior: { outputTokens: 5, rejectFields: ['include_usage', 'ignore_eos', 'min_tokens'] } });
  try {
    const warnings: string[] = [];
    const { results } = await runBenchmark(
      { url: strict.url, concurrency: 2, requests: 4, outputTokens: '5', scrape: false },
      { onEvent: (e) => e.type === 'warning' && warnings.push(e.message) },
    );
    const s = results.summary;
    assert.equal(s.requests.succeeded, 4);
    assert.deepEqual(s.tokens.output.sources, { tokenizer: 4 });
    assert.equal(s.tokens.output.total, 20);
    assert.ok(warnings.some((w) => /include_usage/.test(w)));
    assert.ok(warnings.some((w) => /ignore_eos/.test(w)));
  } finally {
    await strict.close();
  }
});
