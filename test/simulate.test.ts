// test-lane: timing (calibrates on runs against the timing server and the embedded engine; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark } from '../src/index.js';
import { calibrate } from '../src/analysis/simulate/calibrate.js';
import { checkPredictions } from '../src/analysis/simulate/check.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const quiet = { scrape: false, probe: false, calibrate: false, warmup: 0 } as const;

test('calibrated on two runs of a server with 2 slots, the simulator predicts concurrency 1..6 within 5% (TTFT and TPOT p50)', async () => {
  const server = await startTimingServer({ slots: 2, behavior: { ttftMs: 80, itlMs: 8, outputTokens: 12 }, recordBodies: false });
  try {
    const run = async (concurrency: number, requests: number) => {
      const r = await runBenchmark({ url: server.url, model: 'm', concurrency, requests, inputTokens: '64', outputTokens: '12', ...quiet });
      return { id: `c${concurrency}`, results: r.results, records: r.records };
    };
    const cal = calibrate([await run(1, 16), await run(3, 24)], 2);
    assert.ok(Math.abs(cal.cost.decode_base_ms + cal.cost.decode_per_seq_ms - 8) < 0.8, JSON.stringify(cal.cost));
    const measured = [];
    for (const c of [1, 2, 3, 4, 6]) measured.push(await run(c, 8 * c));
    const rows = await checkPredictions(cal.cost, measured, 42, cal.turnaround_ms);
    assert.equal(rows.length, 5);
    const table = rows.map((r) => `${JSON.stringify(r.load)} TTFT ${r.measured.ttft_p50_ms?.toFixed(1)}/${r.predicted.ttft_p50_ms?.toFixed(1)} TPOT ${r.measured.tpot_p50_ms?.toFixed(2)}/${r.predicted.tpot_p50_ms?.toFixed(2)}`).join('\n');
    console.log(`calibrated ${JSON.stringify(cal.cost)}\n${table}`);
    for (const r of rows) {
      // At 3 users on 2 slots the median request waits for the other slot to free, a wait set by how far apart the
      // two slots drifted (client turnaround noise, not the server's costs): measured 84-89 ms over CI runs.
      const ttftBound = 'concurrency' in r.load && r.load.concurrency === 3 ? 10 : 5;
      assert.ok(Math.abs(r.error_pct.ttft_p50_ms!) <= ttftBound, `TTFT at ${JSON.stringify(r.load)}:\n${table}`);
      assert.ok(Math.abs(r.error_pct.tpot_p50_ms!) <= 5, `TPOT at ${JSON.stringify(r.load)}:\n${table}`);
    }
  } finally {
    await server.close();
  }
});

test('simulate --calibrate on two runs of the embedded engine predicts its concurrency sweep 1..8 within 15% (--check), and answers what-ifs as JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-simulate-'));
  const env = { INFERSCOPE_DB: join(dir, 'runs.db') };
  try {
    // Output lengths that vary (as real answers do) keep the users' requests out of step; with one fixed length the
    // engine runs them in lockstep on some runs and apart on others, and the measured p50 itself jumps between the
    // two (docs/simulate.md). This shared 2-core machine's speed drifts 20-30% within minutes (TPOT at a batch of 4
    // read 1.2 and 1.6 ms in one sweep), so the sweep is measured three times, each calibrated on its own steps at 1
    // and 4 users, and the error at each load is the median of the three.
    type Check = { cost_model: { max_seqs: number }; predicted: { summary: { ttft_ms: { p50: number } } }; check: Array<{ load: { concurrency: number }; error_pct: Record<string, number>; measured: Record<string, number>; predicted: Record<string, number> }> };
    const sims: Check[] = [];
    const cals: string[][] = [];
    for (const k of [0, 1, 2]) {
      const out = join(dir, `sweep-${k}`);
      const sweep = await runCli(['sweep', '--concurrency', '1,2,3,4,5,6,7,8', '--requests', '48', '--warmup', '4', '--output-tokens', '64:192', '--seed', String(k + 1), '--out', out], { env, timeoutMs: 300_000 });
      assert.equal(sweep.code, 0, sweep.stderr);
      const cal = ['--calibrate', join(out, 'step-0'), '--calibrate', join(out, 'step-3')];
      const sim = await runCli(['simulate', ...cal, '--check', out, '--json'], { env });
      assert.equal(sim.code, 0, sim.stderr);
      sims.push(JSON.parse(sim.stdout) as Check);
      cals.push(cal);
    }
    const out = sims[0]!;
    assert.equal(out.cost_model.max_seqs, 4, 'the embedded engine\'s slots come from the calibration runs');
    assert.ok(out.predicted.summary.ttft_ms.p50 > 0);
    for (const s of sims) assert.equal(s.check.length, 8);
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[1]!;
    const table = out.check
      .map((_, i) => {
        const rows = sims.map((s) => s.check[i]!);
        const fmt = (k: string, d: number) => rows.map((r) => `${r.measured[k]?.toFixed(d)}/${r.predicted[k]?.toFixed(d)} (${r.error_pct[k]?.toFixed(0)}%)`).join(' ');
        return `c=${rows[0]!.load.concurrency} TTFT ${fmt('ttft_p50_ms', 1)} TPOT ${fmt('tpot_p50_ms', 2)}`;
      })
      .join('\n');
    console.log(table);
    for (let i = 0; i < 8; i++) {
      const rows = sims.map((s) => s.check[i]!);
      const c = rows[0]!.load.concurrency;
      for (const k of ['ttft_p50_ms', 'tpot_p50_ms']) {
        assert.ok(Math.abs(median(rows.map((r) => r.error_pct[k]!))) <= 15, `${k} off at c=${c} (measured/predicted (error) in three sweeps):\n${table}`);
      }
    }
    const cal = cals[0]!;
    // What-ifs: a longer prompt costs more first-token time; two replicas carry more load than one.
    const what = async (...extra: string[]) => {
      const r = await runCli(['simulate', ...cal, '--requests', '200', '--json', ...extra], { env });
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { predicted: { summary: { ttft_ms: { p50: number }; throughput: { output_tokens_per_s: number } } }; capacity?: { value: number } };
    };
    const short = await what('--concurrency', '2', '--input-tokens', '100');
    const long = await what('--concurrency', '2', '--input-tokens', '2000');
    assert.ok(long.predicted.summary.ttft_ms.p50 > short.predicted.summary.ttft_ms.p50);
    const one = await what('--concurrency', '8');
    const two = await what('--concurrency', '8', '--replicas', '2');
    assert.ok(two.predicted.summary.throughput.output_tokens_per_s > one.predicted.summary.throughput.output_tokens_per_s * 1.3);
    const cap = await what('--rate', '1', '--slo', 'ttft=100ms', '--find-capacity');
    assert.ok(cap.capacity && cap.capacity.value > 0, JSON.stringify(cap.capacity));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simulate: without costs or with a bad flag it says what to give (exit 2); roofline costs work without a run', async () => {
  const none = await runCli(['simulate']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--calibrate RUN\|SWEEP .* or --model and --gpu/);
  const cap = await runCli(['simulate', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm', '--find-capacity']);
  assert.equal(cap.code, 2);
  assert.match(cap.stderr, /--find-capacity needs --slo/);
  const roof = await runCli(['simulate', '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm', '--concurrency', '1,16', '--requests', '50', '--json']);
  assert.equal(roof.code, 0, roof.stderr);
  const r = JSON.parse(roof.stdout) as { cost_model: { source: string }; steps: Array<{ summary: { tpot_ms: { p50: number } } }> };
  assert.match(r.cost_model.source, /roofline/);
  // Batch 1 decode is bound near 4.8 ms per token (16 GB of weights at 3.35 TB/s).
  assert.ok(r.steps[0]!.summary.tpot_ms.p50 > 4.5 && r.steps[0]!.summary.tpot_ms.p50 < 5.2, String(r.steps[0]!.summary.tpot_ms.p50));
  assert.ok(r.steps[1]!.summary.tpot_ms.p50 >= r.steps[0]!.summary.tpot_ms.p50);
});
