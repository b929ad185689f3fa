// test-lane: timing (checks timing against real servers; runs alone)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { startTimingServer, type TimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

let server: TimingServer;
before(async () => {
  server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 5, outputTokens: 8 } });
});
after(() => server.close());

test('bench records every run with its labels; runs list / show / export / tag work on it', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'inferscope-store-')), 'runs.db');
  const r = await runCli(['bench', '--url', server.url, '--requests', '10', '--output-tokens', '8', '--no-scrape', '--db', db, '--label', 'gpu=none', '--label', 'change=baseline']);
  assert.equal(r.code, 0, r.stderr);
  const store = openSqliteStore(db);
  let id: string;
  try {
    const runs = await store.listRuns();
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    id = run.id;
    // Finished; 'invalid' when this busy machine made the client fall behind (the run says so), not a store matter.
    assert.ok(run.status === 'completed' || run.status === 'invalid', run.status);
    assert.deepEqual(run.labels, { gpu: 'none', change: 'baseline' });
    assert.equal(run.request_count, 10);
    assert.equal((run.summary as { requests: { succeeded: number } }).requests.succeeded, 10);
    assert.equal(run.environment.target_url, server.url);
  } finally {
    await store.close();
  }
  const list = await runCli(['runs', 'list', '--db', db, '--label', 'gpu=none']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(id.slice(0, 6)));
  assert.match(list.stdout, /completed/);
  const tag = await runCli(['runs', 'tag', id.slice(0, 5), '--baseline', 'main', '--db', db]);
  assert.equal(tag.code, 0, tag.stderr);
  const show = await runCli(['runs', 'show', 'main', '--db', db]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, new RegExp(id));
  // For scripts: the same runs as JSON, without the full results document; one run with its request counts.
  const listJson = await runCli(['runs', 'list', '--db', db, '--json']);
  assert.equal(listJson.code, 0, listJson.stderr);
  const listed = JSON.parse(listJson.stdout) as { runs: Array<Record<string, unknown> & { summary: { requests: { succeeded: number } } }> };
  assert.deepEqual(listed.runs.map((x) => [x.id, x.baselines, x.labels]), [[id, ['main'], { gpu: 'none', change: 'baseline' }]]);
  assert.equal(listed.runs[0]!.summary.requests.succeeded, 10);
  assert.ok(!('results' in listed.runs[0]!) && !('writer_pid' in listed.runs[0]!));
  const showJson = await runCli(['runs', 'show', 'main', '--db', db, '--json']);
  assert.equal(showJson.code, 0, showJson.stderr);
  const shown = JSON.parse(showJson.stdout) as { id: string; stored_requests: unknown; results: unknown };
  assert.equal(shown.id, id);
  assert.deepEqual(shown.stored_requests, { ok: 10, failed: 0, warmup: 0 });
  assert.ok(shown.results && typeof shown.results === 'object');
  const csv = await runCli(['runs', 'export', id, '--format', 'csv', '--db', db]);
  assert.equal(csv.stdout.trim().split('\n').length, 11);
  const unknown = await runCli(['runs', 'show', 'zzzz', '--db', db]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /zzzz/);
});

test('a killed bench (SIGKILL) leaves an interrupted run whose finished requests are intact and reportable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-kill-'));
  const db = join(dir, 'runs.db');
  let killed = false;
  const r = await runCli(['bench', '--url', server.url, '--requests', '5000', '--concurrency', '4', '--output-tokens', '8', '--no-scrape', '--db', db], {
    onSpawn: (child) => {
      const poll = setInterval(async () => {
        if (killed || !existsSync(db)) return;
        try {
          const store = openSqliteStore(db);
          const runs = await store.listRuns();
          await store.close();
          if (runs[0] && runs[0].request_count >= 64) {
            killed = true;
            child.kill('SIGKILL');
          }
        } catch {
          // The database may be mid-creation; poll again.
        }
      }, 50);
      child.on('close', () => clearInterval(poll));
    },
  });
  assert.equal(r.signal, 'SIGKILL');
  const store = openSqliteStore(db);
  let id: string;
  try {
    const run = (await store.listRuns())[0]!;
    id = run.id;
    assert.equal(run.status, 'interrupted');
    const records = await store.getRequests(run.id);
    assert.ok(records.length >= 64, `kept ${records.length}`);
    assert.ok(records.every((rec) => rec.ok && rec.chunks.length === 8));
  } finally {
    await store.close();
  }
  const html = join(dir, 'report.html');
  const rep = await runCli(['report', id, '--db', db, '--html', html]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(readFileSync(html, 'utf8'), /interrupted/);
});

test('the store is as durable as requests.jsonl: a kill -9 loses at most the requests of the last event-loop turn', async () => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'inferscope-kill-'));
    const db = join(dir, 'runs.db');
    const out = join(dir, 'out');
    const jsonl = join(out, 'requests.jsonl');
    const concurrency = 4;
    let killed = false;
    const r = await runCli(['bench', '--url', server.url, '--requests', '5000', '--concurrency', String(concurrency), '--output-tokens', '8', '--no-scrape', '--db', db, '--out', out], {
      onSpawn: (child) => {
        // A kill at a moment of the parent's choosing, unrelated to the writer's batches.
        const poll = setInterval(() => {
          if (killed || !existsSync(jsonl)) return;
          if (readFileSync(jsonl, 'utf8').split('\n').length > 64 + attempt * 37) {
            killed = true;
            child.kill('SIGKILL');
          }
        }, 7);
        child.on('close', () => clearInterval(poll));
      },
    });
    assert.equal(r.signal, 'SIGKILL');
    const lines = readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.endsWith('}'));
    const store = openSqliteStore(db);
    try {
      const run = (await store.listRuns())[0]!;
      const stored = await store.getRequests(run.id);
      assert.ok(lines.length - stored.length <= concurrency, `requests.jsonl ${lines.length}, store ${stored.length}`);
      assert.ok(stored.length <= lines.length, `store ${stored.length} ahead of requests.jsonl ${lines.length}`);
      const fromJsonl = new Set(lines.map((l) => (JSON.parse(l) as { index: number }).index));
      assert.ok(stored.every((rec) => fromJsonl.has(rec.index)));
    } finally {
      await store.close();
    }
  }
});
