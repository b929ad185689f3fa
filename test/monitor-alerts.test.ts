// test-lane: timing (a target that fails and recovers on a schedule; runs alone)
// A target that starts failing: probe_success drops to 0 and one firing webhook goes out; when it recovers, one
// resolved webhook. A restarted monitor keeps its history and alert state and sends nothing twice, and its /metrics
// histograms hold exactly the probes it stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor, type Monitor } from '../src/monitor/monitor.js';
import { MonitorStore } from '../src/monitor/store/monitor-store.js';
import { startTimingServer } from './support/timing-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HEALTHY = { ttftMs: 10, itlMs: 3, outputTokens: 4 };

/** The value of `name{...}` whose labels include every one given. */
function metric(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

test('failing then recovering sends one firing and one resolved webhook; a restart repeats nothing; /metrics match the stored probes', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-alerts-'));
  const hooks: Array<{ state: string; body: string }> = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      hooks.push({ state: (JSON.parse(body) as { status: string }).status, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const server = await startTimingServer({ behavior: HEALTHY, recordBodies: false });
  const store = join(dir, 'm.db');
  const config = parseMonitorConfig(`listen: 127.0.0.1:0
store: ${store}
targets:
  - name: llm
    url: ${server.url}
    model: m
    scrape: off
probes:
  - name: short
    every: 100ms
    input_tokens: 10
    output_tokens: 4
    timeout: 2s
alerts:
  failing: { k: 2, n: 3 }
  webhooks: [ { url: "http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook", format: json } ]
`);
  const success = async (m: Monitor): Promise<number | null> => metric(await (await fetch(`${m.url}/metrics`)).text(), 'inferscope_probe_success', { target: 'llm' });
  try {
    const first = await startMonitor(config, { apiKeys: new Map(), log: () => undefined });
    await sleep(1000);
    assert.equal(await success(first), 1);
    assert.equal(hooks.length, 0);
    server.setBehavior({ httpStatus: 503 });
    await sleep(1200);
    assert.equal(await success(first), 0);
    assert.deepEqual(hooks.map((h) => h.state), ['firing'], 'one firing notification, not one per failed probe');
    assert.match(hooks[0]!.body, /probe_failing/);
    server.setBehavior(HEALTHY);
    await sleep(1200);
    assert.equal(await success(first), 1);
    assert.deepEqual(hooks.map((h) => h.state), ['firing', 'resolved']);
    await first.close({ drain: true });

    // Restarted on the same store: its history is there, and nothing is sent again.
    const kept = (() => {
      const s = new MonitorStore(store);
      try {
        return s.countProbes();
      } finally {
        s.close();
      }
    })();
    assert.ok(kept >= 25, `${kept} probes kept`);
    const startedMs = Date.now();
    const second = await startMonitor(config, { apiKeys: new Map(), log: () => undefined });
    let ok = 0;
    let ttftSum = 0;
    second.onProbe((p) => {
      if (p.ok) {
        ok++;
        ttftSum += (p.ttftMs ?? 0) / 1000;
      }
    });
    assert.equal((await (await fetch(`${second.url}/api/probes?limit=100000`)).json() as unknown[]).length, kept, 'the API serves the history at once');
    await sleep(1200);
    await second.close({ drain: true });
    assert.deepEqual(hooks.map((h) => h.state), ['firing', 'resolved'], 'no notification sent twice after the restart');
    // This process's histograms hold exactly the probes it stored.
    const text = await second.metrics.registry.metrics();
    const s = new MonitorStore(store);
    try {
      const storedOk = s.probes({ sinceMs: startedMs }).filter((p) => p.ok);
      assert.ok(storedOk.length >= 8 && storedOk.length === ok, `${storedOk.length} stored, ${ok} observed`);
      assert.equal(metric(text, 'inferscope_probe_ttft_seconds_count', { target: 'llm' }), storedOk.length);
      const sum = metric(text, 'inferscope_probe_ttft_seconds_sum', { target: 'llm' })!;
      const stored = storedOk.reduce((acc, p) => acc + (p.ttftMs ?? 0) / 1000, 0);
      assert.ok(Math.abs(sum - stored) < 1e-6 && Math.abs(sum - ttftSum) < 1e-6, `histogram sum ${sum}, stored ${stored}`);
    } finally {
      s.close();
    }
  } finally {
    await server.close();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
