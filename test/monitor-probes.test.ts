// test-lane: timing (checks timing against real servers; runs alone)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor } from '../src/monitor/monitor.js';
import type { ProbeResult } from '../src/monitor/probe/probe-result.js';
import { startTimingServer } from './support/timing-server.js';

const TTFT_MS = 60;
const ITL_MS = 10;
const TOKENS = 5;
/** Timer and event-loop delay a busy 2-core machine may add to a measured latency. */
const SLACK_MS = 150;

function configFor(fastUrl: string, hungUrl: string, dir: string): string {
  return `listen: 127.0.0.1:0
store: ${join(dir, 'monitor.db')}
location: test-lab
jitter: 0.1
targets:
  - name: fast
    url: ${fastUrl}
    scrape: off
  - name: hung
    url: ${hungUrl}
    model: test-model
    scrape: off
probes:
  - name: short
    every: 250ms
    input_tokens: 40
    output_tokens: ${TOKENS}
    timeout: 1s
`;
}

test('probes run on schedule, a hung target delays nobody else, and every probe is a full stored bench record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-monitor-'));
  const fast = await startTimingServer({ behavior: { ttftMs: TTFT_MS, itlMs: ITL_MS, outputTokens: TOKENS } });
  // Headers and one token, then silence: every probe of this target runs into its 1 s timeout.
  const hung = await startTimingServer({ behavior: { ttftMs: 0, stallAfter: 1 } });
  const monitor = await startMonitor(parseMonitorConfig(configFor(fast.url, hung.url, dir)), { apiKeys: new Map() });
  const seen: ProbeResult[] = [];
  monitor.onProbe((p) => seen.push(p));
  const startedWall = Date.now();
  try {
    await new Promise((r) => setTimeout(r, 3_200));
  } finally {
    await monitor.close({ drain: true });
  }
  try {
    const fastProbes = seen.filter((p) => p.target === 'fast');
    const hungProbes = seen.filter((p) => p.target === 'hung');
    // 3.2 s at one slot per 250 ms (+ <= 25 ms jitter): ~12; the hung target must not hold them back.
    assert.ok(fastProbes.length >= 8, `fast target got ${fastProbes.length} probes`);
    // Each hung probe takes its 1 s timeout and probes of one target never overlap: at most ~4 in 3.2 s.
    assert.ok(hungProbes.length >= 2 && hungProbes.length <= 4, `hung target got ${hungProbes.length} probes`);
    for (const p of hungProbes) {
      assert.equal(p.ok, false);
      assert.match(p.errorClass ?? '', /^timeout_/);
    }
    const hungSends = hung.requests.filter((r) => r.method === 'POST').map((r) => r.receivedAt);
    for (let i = 1; i < hungSends.length; i++) {
      assert.ok(hungSends[i]! - hungSends[i - 1]! >= 950, `hung target probes overlapped: ${hungSends[i]! - hungSends[i - 1]!} ms apart`);
    }

    for (const p of fastProbes) {
      assert.equal(p.ok, true, JSON.stringify(p.record.error));
      assert.equal(p.location, 'test-lab');
      assert.ok(p.ttftMs! >= TTFT_MS - 1 && p.ttftMs! < TTFT_MS + SLACK_MS, `ttft ${p.ttftMs}`);
      const e2e = TTFT_MS + (TOKENS - 1) * ITL_MS;
      assert.ok(p.e2eMs! >= e2e - 1 && p.e2eMs! < e2e + SLACK_MS, `e2e ${p.e2eMs}`);
      assert.equal(p.record.chunks.length, TOKENS);
      assert.equal(p.outputTokens, TOKENS);
      assert.ok(p.wallMs >= startedWall - 5 && p.wallMs <= Date.now(), 'wall-clock time of the probe');
      assert.ok(p.record.clock_epoch_ms! > 1e12, 'records carry the wall-clock anchor, like bench records');
    }
    // Fresh nonce in every prompt: no two probe bodies alike.
    const prompts = fast.requests.filter((r) => r.method === 'POST').map((r) => JSON.stringify(r.body?.messages));
    assert.equal(new Set(prompts).size, prompts.length);
    assert.match(prompts[0]!, /Probe [0-9a-f]{16}\./);

    // The store holds each probe once, with its full record.
    const { MonitorStore } = await import('../src/monitor/store/monitor-store.js');
    const store = new MonitorStore(join(dir, 'monitor.db'));
    try {
      assert.equal(store.countProbes(), seen.length);
      const one = fastProbes[0]!;
      const rec = store.record(one.id)!;
      assert.deepEqual(rec, one.record);
      const rows = store.probes({ target: 'fast' });
      assert.equal(rows.length, fastProbes.length);
      // Slots keep their spacing: consecutive sends ~250 ms apart (+- jitter and load), never drifting later.
      const span = rows[rows.length - 1]!.wallMs - rows[0]!.wallMs;
      assert.ok(span <= (rows.length - 1) * 250 + 25 + SLACK_MS, `slots drifted: ${rows.length} probes over ${span} ms`);
    } finally {
      store.close();
    }
  } finally {
    await fast.close();
    await hung.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
