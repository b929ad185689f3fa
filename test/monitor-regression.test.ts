// test-lane: timing (a server that slows down mid-run; runs alone)
// "Regressed against baseline": the monitor compares the last window of probes with the stretch before it, as
// `inferscope compare` does, and alerts once the server got slower beyond noise and threshold, not before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor } from '../src/monitor/monitor.js';
import { startTimingServer } from './support/timing-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a target whose TTFT triples raises one "regressed" alert naming the metric; a steady one does not', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-regress-'));
  const slowing = await startTimingServer({ behavior: { ttftMs: 20, itlMs: 3, outputTokens: 4 }, recordBodies: false });
  const steady = await startTimingServer({ behavior: { ttftMs: 20, itlMs: 3, outputTokens: 4 }, recordBodies: false });
  const monitor = await startMonitor(
    parseMonitorConfig(`listen: 127.0.0.1:0
store: ${join(dir, 'm.db')}
targets:
  - name: slowing
    url: ${slowing.url}
    model: m
    scrape: off
  - name: steady
    url: ${steady.url}
    model: m
    scrape: off
probes:
  - name: short
    every: 100ms
    input_tokens: 10
    output_tokens: 4
    timeout: 2s
alerts:
  regression:
    window: 2s
    baseline: 4s
    metrics: [ttft_p50]
    min_probes: 10
    threshold_pct: 30
    every: 500ms
`),
    { apiKeys: new Map(), log: () => undefined },
  );
  type Alerts = { firing: Array<{ detail: { alert: string; target: string; summary: string } }> };
  const regressed = async (): Promise<Alerts['firing']> => ((await (await fetch(`${monitor.url}/api/alerts`)).json()) as Alerts).firing.filter((a) => a.detail.alert === 'regressed');
  try {
    await sleep(6500);
    assert.deepEqual(await regressed(), [], 'no alert while both are steady');
    slowing.setBehavior({ ttftMs: 80, itlMs: 3, outputTokens: 4 });
    const deadline = Date.now() + 15_000;
    let firing: Alerts['firing'] = [];
    while (Date.now() < deadline && firing.length === 0) {
      await sleep(300);
      firing = await regressed();
    }
    assert.deepEqual(firing.map((a) => a.detail.target), ['slowing']);
    assert.match(firing[0]!.detail.summary, /TTFT p50 \+\d+% \(\d+ to \d+ ms, CI \+\d+% to \+\d+%\)/);
  } finally {
    await monitor.close({ drain: false });
    await slowing.close();
    await steady.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
