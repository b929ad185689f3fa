import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../src/sweep/run-sweep.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { openSweepStore } from '../src/store/sweep-store.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

test('a concurrency sweep: one stored run per step, sweep.json with frontier and knee, no prompt sent twice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-sweep-'));
  const server = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 4, outputTokens: 8 } });
  // Decode slows as more requests share the server, like a real batch: TPOT grows with load.
  server.setBehavior(() => ({ ttftMs: 10 + 5 * server.openConnections(), itlMs: 4 + 2 * server.openConnections(), outputTokens: 8 }));
  const raw = server.requests;
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const db = join(dir, 'runs.db');
  const seen: number[] = [];
  const doc = await runSweep(
    {
      benchmark: { url: server.url, model: 'test-model', requests: 12, inputTokens: '24', outputTokens: '8', scrape: false, db },
      axis: { kind: 'concurrency', values: [1, 2, 4] },
      outDir: join(dir, 'out'),
    },
    { onStep: (s) => seen.push(s.index) },
  );
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(doc.status, 'completed');
  assert.deepEqual(doc.steps.map((s) => s.load), [{ concurrency: 1 }, { concurrency: 2 }, { concurrency: 4 }]);
  for (const s of doc.steps) assert.equal(s.summary.requests.succeeded, 12);
  assert.ok(doc.pareto.per_user_speed.length >= 1 && doc.pareto.e2e_p99.length >= 1);

  const onDisk = JSON.parse(readFileSync(join(dir, 'out', 'sweep.json'), 'utf8'));
  assert.equal(onDisk.id, doc.id);
  assert.equal(onDisk.status, 'completed');
  for (let k = 0; k < 3; k++) assert.ok(existsSync(join(dir, 'out', `step-${k}`, 'results.json')));

  const store = openSqliteStore(db);
  t.after(() => store.close());
  const runs = (await store.listRuns()).filter((r) => r.labels?.sweep === doc.id);
  assert.equal(runs.length, 3);
  assert.deepEqual(runs.map((r) => r.labels.step).sort(), ['0', '1', '2']);
  const sweeps = openSweepStore(db);
  t.after(() => sweeps.close());
  assert.equal((sweeps.get(doc.id.slice(0, 6)).document as { steps: unknown[] }).steps.length, 3);

  // Every step sends prompts no earlier step sent, so no prefix cache answers them.
  const prompts = raw
    .filter((r) => r.path.endsWith('/chat/completions'))
    .map((r) => (r.body as { messages: Array<{ content: string }> }).messages[0]!.content)
    .filter((p) => p.startsWith('Run ')); // the workload's prompts (the start-up field probe sends its own)
  assert.equal(prompts.length, 36);
  assert.equal(new Set(prompts).size, prompts.length, 'a prompt was sent twice');
});

test('stopping a sweep keeps every finished step and says it was interrupted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-sweep-stop-'));
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 2, outputTokens: 4 }, recordBodies: false });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const controller = new AbortController();
  const doc = await runSweep(
    {
      benchmark: { url: server.url, model: 'test-model', requests: 6, outputTokens: '4', scrape: false },
      axis: { kind: 'rate', values: [20, 40, 80] },
      outDir: dir,
    },
    { signal: controller.signal, onStep: () => controller.abort() },
  );
  assert.equal(doc.status, 'interrupted');
  assert.equal(doc.steps.length, 1);
  assert.deepEqual(doc.steps[0]!.load, { rate: 20 });
  assert.equal(JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')).steps.length, 1);
});

test('sweep CLI: without loads it sweeps concurrency auto; one kind at a time, values checked (exit 2 naming the flag)', async (t) => {
  const server = await startTimingServer({ slots: 2, behavior: { ttftMs: 5, itlMs: 10, outputTokens: 6 }, recordBodies: false });
  t.after(() => server.close());
  const none = await runCli(['sweep', '--url', server.url, '--model', 'test-model', '--requests', '8', '--output-tokens', '6', '--no-scrape', '--no-probe', '--no-db', '--json'], { timeoutMs: 60_000 });
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stderr, /no --concurrency or --rate given: sweeping --concurrency auto/);
  // Auto loads are chosen as the sweep goes: the progress lines give no total.
  assert.match(none.stderr, /^step 1 concurrency 1: /m);
  const loads = (JSON.parse(none.stdout) as { steps: Array<{ load: { concurrency: number } }> }).steps.map((st) => st.load.concurrency);
  assert.deepEqual(loads.slice(0, 3), [1, 2, 4]);
  const both = await runCli(['sweep', '--concurrency', '1,2', '--rate', '1', '--url', 'http://127.0.0.1:9/v1']);
  assert.equal(both.code, 2);
  const bad = await runCli(['sweep', '--concurrency', '1,two', '--url', 'http://127.0.0.1:9/v1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--concurrency: "two"/);
});

test('a sweep killed with SIGKILL resumes: finished steps kept under the same id, only the missing loads run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-sweep-resume-'));
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 20, outputTokens: 6 }, recordBodies: false });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const out = join(dir, 'sw');
  const db = join(dir, 'runs.db');
  const argsFor = (loads: string) => ['sweep', '--url', server.url, '--model', 'test-model', '--concurrency', loads, '--requests', '8', '--output-tokens', '6', '--no-scrape', '--no-probe', '--out', out, '--db', db];
  const args = argsFor('1,2,3');
  const killed = await runCli(args, {
    timeoutMs: 60_000,
    onSpawn: (child) => {
      const poll = setInterval(() => {
        try {
          if (JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).steps.length >= 1) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        } catch {
          // not written yet
        }
      }, 20);
      child.once('exit', () => clearInterval(poll));
    },
  });
  assert.equal(killed.signal, 'SIGKILL');
  const before = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
  assert.equal(before.status, 'running');
  const kept = before.steps.filter((s: { status: string }) => s.status !== 'interrupted');
  assert.ok(kept.length >= 1 && kept.length < 3, `${kept.length} steps before the kill`);

  const wrong = await runCli([...argsFor('1,2'), '--resume', before.id]);
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /give the same/);
  // Without loads, a resume continues the sweep's own.
  const resumed = await runCli([...args.filter((a) => a !== '--concurrency' && a !== '1,2,3'), '--resume', out, '--json'], { timeoutMs: 60_000 });
  assert.equal(resumed.code, 0, resumed.stderr);
  const doc = JSON.parse(resumed.stdout);
  assert.equal(doc.id, before.id);
  assert.equal(doc.status, 'completed');
  assert.deepEqual(doc.steps.map((s: { load: unknown }) => s.load), [{ concurrency: 1 }, { concurrency: 2 }, { concurrency: 3 }]);
  assert.equal(doc.steps[0].run_id, kept[0].run_id, 'the finished step is kept, not re-run');
});

test('--repeat runs the loads in rounds by default (--no-interleave: each load\'s in a row); sweep.json and the console give each load\'s median and range', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-sweep-repeat-'));
  const server = await startTimingServer({ behavior: { ttftMs: 10, itlMs: 2, outputTokens: 4 } });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const flags = ['--url', server.url, '--model', 'm', '--concurrency', '1,2', '--repeat', '2', '--requests', '8', '--warmup', '2', '--no-scrape', '--no-db'];
  const rounds = await runCli(['sweep', ...flags, '--out', join(dir, 'rounds')]);
  assert.equal(rounds.code, 0, rounds.stderr);
  const doc = JSON.parse(readFileSync(join(dir, 'rounds', 'sweep.json'), 'utf8')) as {
    interleaved?: boolean;
    steps: Array<{ load: { concurrency: number }; repeat: number; status: string }>;
    loads: Array<{ load: { concurrency: number }; steps: number[]; ttft_p50_ms: { median: number; min: number; max: number } }>;
  };
  assert.equal(doc.interleaved, true);
  assert.deepEqual(doc.steps.map((s) => [s.load.concurrency, s.repeat]), [[1, 0], [2, 0], [1, 1], [2, 1]]);
  // Each load's completed steps (a busy machine can make a 4-request step invalid: its client fell behind).
  const completed = (c: number) => doc.steps.flatMap((s, i) => (s.load.concurrency === c && s.status === 'completed' ? [i] : []));
  assert.deepEqual(doc.loads.map((l) => [l.load.concurrency, l.steps]), [1, 2].filter((c) => completed(c).length > 0).map((c) => [c, completed(c)]));
  const spread = doc.loads.at(-1)!.ttft_p50_ms;
  assert.ok(spread.min <= spread.median && spread.median <= spread.max && spread.min >= 10, JSON.stringify(spread));
  assert.match(rounds.stdout, /per load over its repeats \(run in rounds\): median \(lowest-highest\)/);
  const inRow = await runCli(['sweep', ...flags, '--no-interleave', '--json']);
  assert.equal(inRow.code, 0, inRow.stderr);
  const rowDoc = JSON.parse(inRow.stdout) as { interleaved?: boolean; steps: Array<{ load: { concurrency: number }; repeat: number }> };
  assert.equal(rowDoc.interleaved, undefined);
  assert.deepEqual(rowDoc.steps.map((s) => [s.load.concurrency, s.repeat]), [[1, 0], [1, 1], [2, 0], [2, 1]]);
});
