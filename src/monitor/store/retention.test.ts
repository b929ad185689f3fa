import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../../measure/record.js';
import { probeResult } from '../probe/probe-result.js';
import { MonitorStore } from './monitor-store.js';
import { applyRetention } from './retention.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

function record(wallMs: number, ok: boolean, ttft: number): RequestRecord {
  return {
    index: 0, warmup: false, t_sched: 0, t_send: 0, t_headers: 1, t_end: ttft + 20,
    chunks: ok ? [{ t: ttft, tokens: null, reasoning: false }, { t: ttft + 10, tokens: null, reasoning: false }, { t: ttft + 20, tokens: null, reasoning: false }] : [],
    ok, error: ok ? null : { class: 'http_5xx', message: 'down' }, http_status: ok ? 200 : 503, finish_reason: ok ? 'stop' : null,
    input_tokens: 10, input_tokens_source: 'usage', output_tokens: ok ? 3 : null, output_tokens_source: ok ? 'usage' : null,
    requested_output_tokens: 3, output_chars: 9, clock_epoch_ms: wallMs,
  };
}

test('raw probes and scrapes older than the retention become hourly rollups; recent and not-yet-copied rows stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-retention-'));
  const store = new MonitorStore(join(dir, 'm.db'));
  try {
    const now = Date.UTC(2026, 11, 4, 12, 0, 0);
    const old = now - 40 * DAY;
    const where = { target: 'llm', probe: 'short', location: 'eu' };
    // One old hour: 10 probes (2 failed, TTFT 100..800 ms); another old hour: 5; and 3 recent ones.
    const oldHour = Array.from({ length: 10 }, (_, i) => probeResult(record(old + i * 60_000, i >= 2, 100 * (i - 1)), where));
    const nextHour = Array.from({ length: 5 }, (_, i) => probeResult(record(old + HOUR + i * 60_000, true, 50), where));
    const recent = Array.from({ length: 3 }, (_, i) => probeResult(record(now - i * 60_000, true, 70), where));
    store.insertProbes([...oldHour, ...nextHour, ...recent]);
    for (let i = 0; i < 4; i++) store.insertScrape({ target: 'llm', location: 'eu', wallMs: old + i * 60_000, ok: true, concepts: { requests_running: i, kv_cache_usage: 0.5 } });
    store.insertScrape({ target: 'llm', location: 'eu', wallMs: now, ok: true, concepts: { requests_running: 9 } });

    // Only the first 12 probes were copied to a shared store: the other old ones wait.
    const held = applyRetention(store, 30 * DAY, now, { probes: 12, scrapes: 10 });
    assert.equal(held.probes, 12);
    assert.equal(store.countProbes(), 6, 'three old ones not yet copied, three recent');
    const all = applyRetention(store, 30 * DAY, now, null);
    assert.equal(all.probes, 3);
    assert.equal(store.countProbes(), 3, 'only the recent probes stay raw');

    const hourStart = Math.floor(old / HOUR) * HOUR;
    const rollups = store.probeRollups('llm', 'short', 'eu', hourStart, now) as Array<{ t: number; probes: number; errors: number; ttft: { p50: number } | null }>;
    assert.deepEqual(rollups.map((r) => [r.t, r.probes, r.errors]), [[hourStart, 10, 2], [hourStart + HOUR, 5, 0]]);
    assert.equal(rollups[0]!.ttft!.p50, 450, 'TTFT p50 of the 8 successes (100..800 ms)');
    const scrapes = store.db.prepare('SELECT scrapes, concepts_json FROM monitor_scrape_rollups').all() as Array<{ scrapes: number; concepts_json: string }>;
    assert.deepEqual(scrapes.map((s) => [s.scrapes, JSON.parse(s.concepts_json)]), [[4, { requests_running: 1.5, kv_cache_usage: 0.5 }]]);
    assert.equal(store.scrapes('llm', 0).length, 1, 'the recent scrape stays raw');
    // A second pass over the same data changes nothing.
    assert.deepEqual(applyRetention(store, 30 * DAY, now, null), { probes: 0, scrapes: 0, rollups: 0 });
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
