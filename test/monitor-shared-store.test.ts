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

test('with a shared store each instance sees every location: /api/locations, and an alert when 2 of n locations see a target failing', { timeout: 60_000 }, async () => {
  const url = postgres.createDatabase('quorum');
  const down = await startTimingServer({ behavior: { httpStatus: 503 }, recordBodies: false });
  const config = (location: string): string => `listen: 127.0.0.1:0
store: ${join(dir, `q-${location}.db`)}
shared_store: ${url}
location: ${location}
targets:
  - name: llm
    url: ${server.url}
    model: m
    scrape: off
  - name: down
    url: ${down.url}
    model: m
    scrape: off
probes:
  - name: short
    every: 150ms
    input_tokens: 10
    output_tokens: 3
    timeout: 2s
alerts:
  failing: { k: 2, n: 3 }
  locations: 2
`;
  const eu = await startMonitor(parseMonitorConfig(config('eu')), { apiKeys: new Map(), log: () => undefined });
  const us = await startMonitor(parseMonitorConfig(config('us')), { apiKeys: new Map(), log: () => undefined });
  try {
    const deadline = Date.now() + 20_000;
    let alerts: { firing: Array<{ key: string; detail: { alert: string; target: string; summary: string } }> } = { firing: [] };
    while (Date.now() < deadline) {
      alerts = (await (await fetch(`${eu.url}/api/alerts`)).json()) as typeof alerts;
      if (alerts.firing.some((a) => a.detail.alert === 'locations_failing')) break;
      await sleep(300);
    }
    const quorum = alerts.firing.filter((a) => a.detail.alert === 'locations_failing');
    assert.deepEqual(quorum.map((a) => a.detail.target), ['down'], JSON.stringify(alerts.firing.map((a) => a.key)));
    assert.match(quorum[0]!.detail.summary, /failing from 2 of 2 locations \((eu, us|us, eu)\)/);
    const view = (await (await fetch(`${us.url}/api/locations`)).json()) as { shared: boolean; locations: Array<{ target: string; location: string; last: { ok: boolean } | null }> };
    assert.equal(view.shared, true);
    const seen = (target: string): string[] => view.locations.filter((l) => l.target === target).map((l) => l.location).sort();
    assert.deepEqual(seen('llm'), ['eu', 'us']);
    assert.deepEqual(seen('down'), ['eu', 'us']);
    assert.ok(view.locations.filter((l) => l.target === 'llm').every((l) => l.last?.ok), 'the healthy target is ok from both');
  } finally {
    await eu.close({ drain: false });
    await us.close({ drain: false });
    await down.close();
  }
});
