import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerReport } from '../src/cli/commands/report.js';
import { ConfigError } from '../src/config/errors.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { syntheticRun } from './support/synthetic-run.js';
import { REPORT_CSV_COLUMNS } from '../src/report/html/request-rows-csv.js';

function tempDir(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-report-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function run(args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerReport(program, () => {});
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await program.parseAsync(['node', 'inferscope', 'report', ...args]);
  } finally {
    process.stderr.write = stderr;
  }
}

test('report renders HTML and CSV from a --out directory and a stored run, without re-running', async (t) => {
  const dir = tempDir(t);
  const a = syntheticRun({ requests: 120, seed: 1 });
  const outDir = join(dir, 'run-a');
  mkdirSync(outDir);
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(a.results, null, 2));
  writeFileSync(join(outDir, 'requests.jsonl'), a.records.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const b = syntheticRun({ requests: 80, seed: 2 });
  const db = join(dir, 'runs.db');
  const store = openSqliteStore(db);
  const row = await store.createRun({ config: {}, environment: { tool_version: '0.1.0', host: 'h', target_url: 'http://127.0.0.1:8000/v1', model_id: 'm' } });
  await store.appendRequests(row.id, b.records);
  await store.finishRun(row.id, { status: 'completed', summary: b.results.summary, results: b.results });
  await store.tagBaseline(row.id, 'main');
  await store.close();

  const html = join(dir, 'out', 'report.html');
  const csv = join(dir, 'requests.csv');
  await run([outDir, 'main', '--db', db, '--html', html, '--csv', csv, '--label', 'A']);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<h2>A <span/);
  assert.match(page, new RegExp(`<h2>main \\(${row.id}\\) <span`));
  assert.match(page, /id="comparison"/);
  assert.match(page, /<table class="compare"><caption>base A vs candidate /);
  assert.match(page, /<th>verdict<\/th>/);
  const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], REPORT_CSV_COLUMNS.join(','));
  assert.equal(lines.length, 1 + 120 + 80);
  assert.ok(lines[1]!.startsWith('A,0,'));
  assert.ok(lines[121]!.startsWith(`main (${row.id}),0,`));
});

test('report without an output, or with an unknown run, fails with a clear message', async (t) => {
  const dir = tempDir(t);
  await assert.rejects(run(['x']), (err: Error) => err instanceof ConfigError && /give --html FILE and\/or --csv FILE/.test(err.message));
  await assert.rejects(run(['nope', '--db', join(dir, 'empty.db'), '--html', join(dir, 'r.html')]), /nope/);
});

test('report --model --gpu adds a roofline chart per run; one without the other is a usage error', async (t) => {
  const dir = tempDir(t);
  const a = syntheticRun({ requests: 60, seed: 3 });
  const outDir = join(dir, 'run-a');
  mkdirSync(outDir);
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(a.results, null, 2));
  const html = join(dir, 'roof.html');
  await run([outDir, '--html', html, '--model', 'llama-3.1-8b', '--gpu', 'h100-sxm']);
  assert.match(readFileSync(html, 'utf8'), /data-chart="roofline"/);
  await run([outDir, '--html', join(dir, 'plain.html')]);
  assert.doesNotMatch(readFileSync(join(dir, 'plain.html'), 'utf8'), /data-chart="roofline"/);
  await assert.rejects(run([outDir, '--html', html, '--model', 'llama-3.1-8b']), (e: unknown) => e instanceof ConfigError && /both --model and --gpu/.test(e.message));
});
