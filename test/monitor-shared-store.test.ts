// Two monitors at different locations copy their probes into one shared PostgreSQL: across a restart of the database
// (they buffer locally meanwhile) and a restart of one monitor, nothing is lost and nothing duplicated.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor, type Monitor } from '../src/monitor/monitor.js';
import { MonitorStore } from '../src/monitor/store/monitor-store.js';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { startTimingServer, type TimingServer } from './support/timing-server.js';

let postgres: TestPostgres;
let server: TimingServer;
let dir: string;
before(async () => {
  postgres = await startPostgres();
  server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 2, outputTokens: 3 }, recordBodies: false });
  dir = mkdtempSync(join(tmpdir(), 'inferscope-shared-'));
});
after(async () => {
  await server.close();
  postgres.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(location: string, shared: string): Promise<Monitor> {
  return startMonitor(
    parseMonitorConfig(`listen: 127.0.0.1:0
store: ${join(dir, `${location}.db`)}
shared_store: ${shared}
location: ${location}
targets:
  - name: llm
    url: ${server.url}
    model: m
    scrape: off
probes:
  - name: short
    every: 150ms
    input_tokens: 10
    output_tokens: 3
    timeout: 2s
`),
    { apiKeys: new Map(), log: () => undefined },
  );
}

async function waitCaughtUp(m: Monitor): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await m.shared!.flush()) && m.shared!.status().pendingProbes === 0) return;
    await sleep(200);
  }
  throw new Error(`monitor ${m.location} did not catch up: ${JSON.stringify(m.shared!.status())}`);
}

test('two locations share one PostgreSQL across a database restart and a monitor restart: every probe once', { timeout: 120_000 }, async () => {
  const url = postgres.createDatabase('monitor');
  let eu = await start('eu', url);
  const us = await start('us', url);
  await sleep(1500);
  // The database goes away: both keep probing into their own stores.
  postgres.stop();
  await sleep(1500);
  assert.ok(eu.shared!.status().pendingProbes > 0, 'probes wait locally while the database is down');
  postgres.start();
  await waitCaughtUp(eu);
  await waitCaughtUp(us);
  // A monitor restart resumes where its copy stopped (the cursor is in its own store).
  await eu.close({ drain: true });
  eu = await start('eu', url);
  await sleep(800);
  await waitCaughtUp(eu);
  await waitCaughtUp(us);
  await eu.close({ drain: true });
  await us.close({ drain: true });

  // Each location's own probes, from its store.
  const ids = (loc: string): Set<string> => {
    const s = new MonitorStore(join(dir, `${loc}.db`));
    try {
      return new Set(s.probes().map((p) => p.id));
    } finally {
      s.close();
    }
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const loc of ['eu', 'us']) {
      const mine = ids(loc);
      assert.ok(mine.size >= 10, `${loc} probed ${mine.size} times`);
      const { rows } = await client.query<{ id: string }>('SELECT id FROM monitor_probes WHERE location = $1', [loc]);
      const shared = rows.map((r) => r.id);
      assert.equal(new Set(shared).size, shared.length, 'no probe twice');
      assert.deepEqual(new Set(shared), mine, `${loc}: the shared store holds exactly the local probes`);
    }
    const { rows } = await client.query<{ location: string; n: string }>('SELECT location, count(*) AS n FROM monitor_probes GROUP BY location ORDER BY location');
    assert.deepEqual(rows.map((r) => r.location), ['eu', 'us'], 'both locations side by side');
  } finally {
    await client.end();
  }
});
