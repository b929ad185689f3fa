// A real PostgreSQL as the run store, through the CLI: several writers at once, shards merged from it, a killed
// writer, the read commands, and a password that never reaches results, the store or the output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.js';
import { runCli } from './support/cli.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { startTimingServer, type TimingServer } from './support/timing-server.js';

let postgres: TestPostgres;
let server: TimingServer;
const dir = mkdtempSync(join(tmpdir(), 'inferscope-pg-cli-'));
before(async () => {
  postgres = await startPostgres();
  server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 2, outputTokens: 8 }, recordBodies: false });
});
after(async () => {
  await server.close();
  postgres.close();
  rmSync(dir, { recursive: true, force: true });
});

const quiet = ['--no-probe', '--no-calibrate', '--no-scrape', '--warmup', '0', '--model', 'm', '--output-tokens', '8'];
/** The database URL with a password in it (trust authentication ignores it), to prove it is never shown or kept. */
const withPassword = (url: string): string => url.replace('postgres://inferscope@', 'postgres://inferscope:s3cret-pw@');

test('three benchmarks write into one PostgreSQL database at once; runs list, show, compare and report read them back', async () => {
  const db = withPassword(postgres.createDatabase('cli'));
  const runs = await Promise.all(
    ['a', 'b', 'c'].map((name) => runCli(['bench', '--url', server.url, '--concurrency', '4', '--requests', '40', ...quiet, '--label', `name=${name}`, '--db', db, '--json'], { timeoutMs: 60_000 })),
  );
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('s3cret') && !r.stderr.includes('s3cret'), 'the password is never printed');
  }
  const ids = runs.map((r) => (JSON.parse(r.stdout) as { run: { id: string; config: { db: string } } }).run);
  assert.ok(ids.every((run) => run.config.db.includes('***') && !run.config.db.includes('s3cret')), 'results keep the URL without its password');

  const list = await runCli(['runs', 'list', '--db', db, '--label', 'name=b']);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(list.stdout.includes(ids[1]!.id) && !list.stdout.includes(ids[0]!.id));
  const show = await runCli(['runs', 'show', ids[0]!.id, '--db', db]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /40/);
  const store = await openStore(db);
  try {
    for (const run of ids) {
      const row = await store.getRun(run.id);
      assert.equal(row.status, 'completed');
      assert.equal(row.request_count, 40, 'every request of every writer');
      assert.ok(!JSON.stringify(row).includes('s3cret'));
    }
  } finally {
    await store.close();
  }
  const cmp = await runCli(['compare', ids[0]!.id, ids[1]!.id, '--db', db, '--json']);
  assert.equal(cmp.code, 0, cmp.stderr);
  const html = join(dir, 'report.html');
  const rep = await runCli(['report', ids[0]!.id, ids[2]!.id, '--db', db, '--html', html]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.ok(readFileSync(html, 'utf8').includes(ids[2]!.id));
});

test('shards write their runs into PostgreSQL concurrently; merge reads them from it and stores the merged run there', async () => {
  const db = postgres.createDatabase('shards');
  // Three CLI processes start and open PostgreSQL first; on a busy machine that can take several seconds.
  const startAt = new Date(Date.now() + 10_000).toISOString();
  const load = ['--url', server.url, '--rate', '40', '--arrival', 'constant', '--requests', '60', ...quiet];
  const shards = await Promise.all([0, 1, 2].map((k) => runCli(['bench', ...load, '--shard', `${k}/3`, '--start-at', startAt, '--db', db, '--json'], { timeoutMs: 60_000 })));
  for (const s of shards) assert.equal(s.code, 0, s.stderr);
  const ids = shards.map((s) => (JSON.parse(s.stdout) as { run: { id: string } }).run.id);
  const merged = await runCli(['merge', ...ids, '--db', db, '--json']);
  assert.equal(merged.code, 0, merged.stderr);
  const doc = JSON.parse(merged.stdout) as { run: { id: string }; summary: { requests: { total: number } } };
  assert.equal(doc.summary.requests.total, 60);
  const store = await openStore(db);
  try {
    const records = await store.getRequests(doc.run.id);
    assert.deepEqual(records.map((r) => r.index).sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i), 'every index once');
  } finally {
    await store.close();
  }
});

test('kill -9 of a writer mid-run: its finished requests stay in PostgreSQL and the run reads as interrupted', async () => {
  const db = postgres.createDatabase('kill');
  let killed = false;
  const r = await runCli(['bench', '--url', server.url, '--concurrency', '4', '--requests', '5000', ...quiet, '--db', db], {
    timeoutMs: 60_000,
    onSpawn: (child) => {
      const poll = setInterval(async () => {
        if (killed) return;
        try {
          const store = await openStore(db);
          const runs = await store.listRuns();
          await store.close();
          if (runs[0] && runs[0].request_count >= 64) {
            killed = true;
            child.kill('SIGKILL');
          }
        } catch {
          // The schema may still be being created; poll again.
        }
      }, 100);
      child.on('close', () => clearInterval(poll));
    },
  });
  assert.equal(r.signal, 'SIGKILL');
  const store = await openStore(db);
  let id: string;
  try {
    const [run] = await store.listRuns();
    assert.ok(run);
    id = run.id;
    assert.equal(run.status, 'interrupted');
    const records = await store.getRequests(run.id);
    assert.ok(records.length >= 64);
    assert.ok(records.every((x) => x.ok && x.chunks.length === 8), 'every stored record is whole');
  } finally {
    await store.close();
  }
  const rep = await runCli(['report', id, '--db', db, '--html', join(dir, 'killed.html')]);
  assert.equal(rep.code, 0, rep.stderr);
});
