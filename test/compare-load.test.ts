import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCompareCommand, type CompareFlags } from '../src/cli/commands/compare.js';
import { ExitError } from '../src/cli/exit-codes.js';
import { loadRun, RunLoadError } from '../src/results/load-run.js';
import { simulatedRun, type SimulatedRunSpec } from './support/simulate-run.js';
import type { LoadedRun } from '../src/compare/types.js';
import { buildResults } from '../src/results/results-document.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';

const SPEC: SimulatedRunSpec = { seed: 1, requests: 400, concurrency: 8, ttftMs: 80, itlMs: 20, outputTokens: 16 };

function tempDir(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-compare-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function resultsOf(run: LoadedRun) {
  return buildResults({
    id: run.results.id,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    config: run.results.config,
    target: { url: run.results.target.url, model: run.results.target.model, api: 'chat' },
    summary: run.results.summary,
  });
}

/** Writes a run as `bench --out` does: results.json and requests.jsonl. */
function writeRunDir(dir: string, run: LoadedRun, withRecords = true): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(resultsOf(run), null, 2) + '\n');
  if (withRecords) writeFileSync(join(dir, 'requests.jsonl'), run.records!.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return dir;
}

const quietIo = () => {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), isTty: false } };
};

test('loads a run from its directory or its results.json, with requests.jsonl beside it', async (t) => {
  const dir = writeRunDir(join(tempDir(t), 'base'), simulatedRun(SPEC));
  const fromDir = await loadRun(dir);
  const fromFile = await loadRun(join(dir, 'results.json'));
  assert.equal(fromDir.records!.length, 400);
  assert.equal(fromFile.records!.length, 400);
  assert.equal(fromDir.results.run.id, 'sim1');
  assert.equal(fromDir.results.summary.requests.total, 400);
  assert.equal(fromDir.source, join(dir, 'results.json'));
});

test('results.json alone loads without records; bad inputs name the file and line', async (t) => {
  const root = tempDir(t);
  const only = writeRunDir(join(root, 'only'), simulatedRun(SPEC), false);
  assert.equal((await loadRun(only)).records, null);

  // A writer killed mid-line leaves a truncated last line: skipped with a note.
  const cut = writeRunDir(join(root, 'cut'), simulatedRun(SPEC));
  appendFileSync(join(cut, 'requests.jsonl'), '{"index": 400, "warmup": fal');
  const loaded = await loadRun(cut);
  assert.equal(loaded.records!.length, 400);
  assert.match(loaded.notes!.join(), /truncated last line \(401\)/);

  const bad = writeRunDir(join(root, 'bad'), simulatedRun(SPEC));
  writeFileSync(join(bad, 'requests.jsonl'), '{"t_send": 1, "t_end": 2, "ok": true, "chunks": []}\nnot json\n{"t_send": 1, "t_end": 2, "ok": true, "chunks": []}\n');
  await assert.rejects(loadRun(bad), (e: Error) => e instanceof RunLoadError && /requests\.jsonl:2: not valid JSON/.test(e.message));
  writeFileSync(join(bad, 'requests.jsonl'), '{"t_send": "soon", "t_end": 2, "ok": true, "chunks": []}\n');
  await assert.rejects(loadRun(bad), /requests\.jsonl:1: not a request record: "t_send" must be a number/);

  writeFileSync(join(bad, 'results.json'), '{"schema_version": 99, "run": {}, "summary": {}}');
  await assert.rejects(loadRun(bad), /schema_version 99 is not supported/);
  await assert.rejects(loadRun(join(root, 'missing', 'results.json')), /no such file or directory/);
  await assert.rejects(loadRun(join(root, 'cut', 'requests.jsonl')), /give the run's results.json/);
  await assert.rejects(loadRun('no-such-run', { db: join(root, 'absent.db') }), /no run database at/);
});

test('loads stored runs from a real SQLite store by id, prefix and baseline name', async (t) => {
  const dbPath = join(tempDir(t), 'runs.db');
  const store = openSqliteStore(dbPath);
  const ids: string[] = [];
  try {
    for (const seed of [1, 2]) {
      const sim = simulatedRun({ ...SPEC, seed });
      const row = await store.createRun({
        config: sim.results.config,
        environment: { tool_version: '0.1.0', host: 'box', target_url: sim.results.target.url, model_id: 'sim-model' },
      });
      await store.appendRequests(row.id, sim.records!);
      const doc = resultsOf(sim);
      doc.run.id = row.id;
      await store.finishRun(row.id, { status: 'completed', summary: doc.summary, results: doc });
      ids.push(row.id);
    }
    await store.tagBaseline(ids[0]!, 'main');
    // A run still being written has no results yet: its summary is rebuilt from the records.
    const open = await store.createRun({ config: { concurrency: 8 }, environment: { tool_version: '0.1.0', host: 'box', target_url: 'http://x/v1', model_id: 'm' } });
    await store.appendRequests(open.id, simulatedRun({ ...SPEC, seed: 3 }).records!);
    ids.push(open.id);
  } finally {
    await store.close();
  }
  const byId = await loadRun(ids[1]!, { db: dbPath });
  assert.equal(byId.results.run.id, ids[1]);
  assert.equal(byId.records!.length, 400);
  assert.equal(byId.label, ids[1]);
  const byName = await loadRun('main', { db: dbPath });
  assert.equal(byName.results.run.id, ids[0]);
  assert.equal(byName.label, `main (${ids[0]})`);
  const byPrefix = await loadRun(ids[1]!.slice(0, 8), { db: dbPath });
  assert.equal(byPrefix.results.run.id, ids[1]);
  const running = await loadRun(ids[2]!, { db: dbPath });
  assert.equal(running.results.run.status, 'running');
  assert.equal(running.results.summary.requests.total, 400);
  assert.equal(running.results.run.target.model, 'm');
  await assert.rejects(loadRun('zzzzzzzzzz', { db: dbPath }), /does not exist|no run/);
});

test('compare command: exit 3 on a gated regression, 0 when the gate covers other metrics', async (t) => {
  const root = tempDir(t);
  const base = writeRunDir(join(root, 'base'), simulatedRun({ ...SPEC, requests: 1200 }));
  const slow = writeRunDir(join(root, 'slow'), simulatedRun({ ...SPEC, requests: 1200, seed: 2, ttftMs: 110, itlMs: 27 }));
  const flags = (f: Partial<CompareFlags>): CompareFlags => ({ color: false, resamples: 300, ...f });

  const plain = quietIo();
  assert.equal(await runCompareCommand(base, slow, flags({}), plain.io), 0, 'no gate without --fail-on-regression');
  assert.match(plain.out.stdout, /REGRESSED/);

  const gated = quietIo();
  assert.equal(await runCompareCommand(base, slow, flags({ failOnRegression: true }), gated.io), 3);
  assert.match(gated.out.stderr, /regression gate failed: .*ttft_p50/);

  const listed = quietIo();
  assert.equal(await runCompareCommand(base, slow, flags({ failOnRegression: 'error_rate' }), listed.io), 0);
  const asJson = quietIo();
  assert.equal(await runCompareCommand(base, slow, flags({ failOnRegression: 'e2e.p50', json: true }), asJson.io), 3);
  const json = JSON.parse(asJson.out.stdout);
  assert.deepEqual(json.gate, { metrics: ['e2e_p50'], failed: ['e2e_p50'] });
  assert.ok(json.metrics.length === 20 && Array.isArray(json.method));

  await assert.rejects(
    runCompareCommand(base, join(root, 'nope', 'results.json'), flags({}), quietIo().io),
    (e: unknown) => e instanceof ExitError && e.code === 2 && /candidate: .*no such file/.test(e.message),
  );
});

test('compare command through commander in a child process: exit code 3 and JSON on stdout', async (t) => {
  const root = tempDir(t);
  const base = writeRunDir(join(root, 'base'), simulatedRun({ ...SPEC, requests: 1200 }));
  const slow = writeRunDir(join(root, 'slow'), simulatedRun({ ...SPEC, requests: 1200, seed: 2, ttftMs: 110, itlMs: 27 }));
  const script = `
    import { Command } from 'commander';
    const { registerCompare } = await import(${JSON.stringify(pathToFileURL(resolve('src/cli/commands/compare.ts')).href)});
    let code = 0;
    const program = new Command().exitOverride();
    registerCompare(program, (c) => { code = Math.max(code, c); });
    await program.parseAsync(process.argv.slice(1), { from: 'user' });
    process.exitCode = code;`;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', 'compare', ...args], { encoding: 'utf8', timeout: 60_000 });
  const gated = run(base, slow, '--fail-on-regression', 'ttft,e2e', '--json', '--resamples', '300');
  assert.equal(gated.status, 3, gated.stderr);
  assert.ok(JSON.parse(gated.stdout).regressed.includes('ttft_p50'));
  const same = run(base, base, '--fail-on-regression', '--resamples', '300', '--min-change', '5%');
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /0 regressed/);
});
