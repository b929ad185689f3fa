// test-lane: timing (saturation and prefill growth against timing servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark } from '../src/index.js';
import { diagnoseRun } from '../src/analysis/diagnose-run.js';
import { diagnoseSweep } from '../src/analysis/diagnose-sweep.js';
import { FINDING_KINDS } from '../src/results/findings.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import { formatSweep } from '../src/sweep/format-sweep.js';
import { renderSweepReport } from '../src/report/html/render-sweep.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const kinds = (d: { findings: Array<{ kind: string }> }): string[] => d.findings.map((f) => f.kind);
const quiet = { scrape: false, probe: false, calibrate: false, warmup: 0 } as const;

test('a healthy run gets no false finding; the same server over its capacity at a fixed rate is queueing', async () => {
  // Two slots, ~125 ms per request: about 16 requests/s at most.
  const server = await startTimingServer({ slots: 2, behavior: { ttftMs: 20, itlMs: 5, outputTokens: 20 } });
  try {
    const calm = await runBenchmark({ url: server.url, model: 'm', rate: 4, arrival: 'constant', requests: 16, inputTokens: '32', outputTokens: '20', ...quiet });
    assert.deepEqual(kinds(calm.results.diagnosis!).filter((k) => k !== 'client_limited'), ['healthy']);
    const over = await runBenchmark({ url: server.url, model: 'm', rate: 40, arrival: 'constant', requests: 60, inputTokens: '32', outputTokens: '20', maxErrorRate: 1, ...quiet });
    const q = over.results.diagnosis!.findings.find((f) => f.kind === 'queueing');
    assert.ok(q, `findings: ${kinds(over.results.diagnosis!)}`);
    assert.equal(q.confidence, 'high');
    assert.ok((q.evidence.served_rate_per_s as number) < 20);
    assert.ok(!kinds(over.results.diagnosis!).includes('healthy'));
  } finally {
    await server.close();
  }
});

test('TTFT that grows with prompt length is called prefill compute, with the fitted cost per 1,000 tokens', async () => {
  // The server's TTFT is 0.2 ms per prompt token (prompt characters / 4).
  const server = await startTimingServer({
    behavior: (req) => ({ ttftMs: (JSON.stringify(req.body?.messages ?? '').length / 4) * 0.2, itlMs: 2, outputTokens: 8 }),
  });
  try {
    const { results } = await runBenchmark({ url: server.url, model: 'm', concurrency: 2, requests: 30, inputTokens: '50:1500', outputTokens: '8', ...quiet });
    const p = results.diagnosis!.findings.find((f) => f.kind === 'prefill_compute');
    assert.ok(p, `findings: ${kinds(results.diagnosis!)}`);
    const perK = p.evidence.ms_per_1k_prompt_tokens as number;
    assert.ok(perK > 150 && perK < 330, `fitted ${perK} ms per 1k prompt tokens`);
  } finally {
    await server.close();
  }
});

test('constructed runs: 429s, errors, a full KV cache, front-end overhead and a client that fell behind are each named', () => {
  const base = { ttft_ms: { p50: 60, mean: 60 }, tpot_ms: { p50: 10 }, itl_ms: { p50: 10, mean: 10 }, requests: { total: 100 }, fidelity: null } as const;
  const summary = (extra: object) => ({ ...base, errors: { total: 0, error_rate: 0, by_class: {}, examples: {} }, ...extra }) as never;
  assert.deepEqual(kinds(diagnoseRun({ summary: summary({}) })), ['healthy']);
  const limited = diagnoseRun({ summary: summary({ errors: { total: 12, error_rate: 0.12, by_class: { http_429: 10, timeout_ttft: 2 }, examples: { http_429: 'HTTP 429: slow down' } } }) });
  assert.deepEqual(kinds(limited), ['rate_limited', 'errors']);
  assert.match(limited.findings[1]!.title, /2 of them timeouts/);
  const server = { kv_cache_usage: { min: 0.2, mean: 0.8, max: 0.99, last: 0.9, samples: 20 }, preemptions: 3, ttft_ms: { count: 100, mean: 20 }, requests_waiting: null } as never;
  const full = diagnoseRun({ summary: summary({}), server });
  assert.deepEqual(kinds(full), ['kv_cache_saturation', 'network_overhead']);
  assert.equal(full.findings[0]!.confidence, 'high');
  assert.equal(full.findings[1]!.evidence.overhead_ms, 40);
  const behind = diagnoseRun({ summary: summary({ fidelity: { valid: false, status: 'invalid', invalid_reasons: ['event loop lagged 80 ms'], event_loop_lag_ms: { p99: 80 }, schedule_lag_ms: { p99: 50 }, client_cpu: 0.99 } }) });
  assert.deepEqual(kinds(behind), ['client_limited']);
  assert.match(behind.findings[0]!.advice[0]!, /99% of a core.*--workers auto/);
  for (const d of [limited, full, behind]) for (const f of d.findings) assert.ok(FINDING_KINDS.includes(f.kind) && f.advice.length > 0);
});

test('a sweep with flat TPOT is memory-bound decode; one whose TPOT grows with the batch is compute-saturated', () => {
  const step = (i: number, c: number, tpot: number, ttft = 50) => ({ index: i, load: { concurrency: c }, server: null, summary: { tpot_ms: { p50: tpot }, ttft_ms: { p50: ttft }, throughput: { concurrency: { mean: c } } } });
  const flat = diagnoseSweep({ steps: [step(0, 1, 10), step(1, 2, 10.2), step(2, 4, 10.5), step(3, 8, 11)] } as never);
  assert.deepEqual(kinds(flat), ['decode_memory']);
  const rising = diagnoseSweep({ steps: [step(0, 1, 10), step(1, 2, 15), step(2, 4, 24), step(3, 8, 45)] } as never);
  assert.deepEqual(kinds(rising), ['compute_saturation']);
  assert.ok((rising.findings[0]!.evidence.decode_ms_per_extra_sequence as number) > 4);
  const queued = diagnoseSweep({ steps: [step(0, 1, 10), step(1, 2, 10), step(2, 4, 10, 130), step(3, 8, 10, 400)] } as never);
  assert.deepEqual(kinds(queued), ['queueing']);
  assert.match(queued.findings[0]!.title, /From concurrency 4 on, queueing dominates latency/);
  // The server says nothing waited at 4 users (4 slots): TTFT grew from sharing compute; queueing starts at 8.
  const served = (i: number, c: number, ttft: number, waitingMean: number) => ({ ...step(i, c, 10, ttft), server: { requests_waiting: { mean: waitingMean }, requests_running: { mean: Math.min(c, 4) } } });
  const shared = diagnoseSweep({ steps: [served(0, 1, 8.4, 0), served(1, 2, 15.2, 0), served(2, 4, 20.9, 0), served(3, 8, 169, 3.3)] } as never);
  assert.deepEqual(kinds(shared), ['decode_memory', 'prefill_compute', 'queueing']);
  assert.match(shared.findings[1]!.title, /From concurrency 4 on, TTFT p50 grows \(20\.9 ms against 8\.4 ms at the lightest load\) while no request waits \(0\.0 waiting on average, 4\.0 running\)/);
  assert.match(shared.findings[2]!.title, /From concurrency 8 on, queueing dominates latency.*3\.3 requests waiting/);
});

test('inferscope analyze reads a stored run and a sweep directory; --json lists findings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-analyze-'));
  // First tokens and steps long enough that a busy machine's scheduling noise (15 ms seen at 8 users) can neither
  // double TTFT, which would read as queueing, nor move TPOT by a quarter.
  const server = await startTimingServer({ behavior: { ttftMs: 40, itlMs: 10, outputTokens: 12 } });
  try {
    const db = join(dir, 'runs.db');
    const { results } = await runBenchmark({ url: server.url, model: 'm', concurrency: 2, requests: 10, db, ...quiet });
    const run = await runCli(['analyze', results.run.id, '--db', db, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Array.isArray(JSON.parse(run.stdout).findings));
    const doc = await runSweep({ benchmark: { url: server.url, model: 'm', requests: 8, ...quiet }, axis: { kind: 'concurrency', values: [1, 2, 4, 8] }, outDir: join(dir, 'sweep') });
    const sweep = await runCli(['analyze', join(dir, 'sweep')]);
    assert.equal(sweep.code, 0, sweep.stderr);
    assert.match(sweep.stdout, /^sweep /);
    assert.match(sweep.stdout, /decode_memory \(medium confidence\): Decode is memory-bound/);
    // The sweep itself carries the same diagnosis: in sweep.json, its console table and its HTML report.
    const asJson = await runCli(['analyze', join(dir, 'sweep'), '--json']);
    const listed = kinds(JSON.parse(asJson.stdout) as { findings: Array<{ kind: string }> });
    const onDisk = JSON.parse(readFileSync(join(dir, 'sweep', 'sweep.json'), 'utf8')) as { diagnosis: { findings: Array<{ kind: string }> } };
    assert.deepEqual(kinds(onDisk.diagnosis), listed);
    assert.match(formatSweep(doc), /^diagnosis {4}decode memory \(medium\): Decode is memory-bound: TPOT p50 moves from \d+\.\d+ to \d+\.\d+ ms/m);
    const html = renderSweepReport([{ label: 's', sweep: doc }]);
    assert.match(html, /<div class="panel wide diagnosis"><h4>Diagnosis<\/h4><ul><li><b class="warn">decode memory<\/b>/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
