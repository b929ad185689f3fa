/**
 * Monitor benchmark: how many probes one monitor sustains across many targets, how late its schedule runs, its memory
 * as probes accumulate, and the store size per million probes.
 *   npm run bench:monitor            (node --import tsx bench/monitor.ts [--quick] [--targets=1000] [--probes=100000])
 * The targets all point at one zero-delay streaming server in its own process (4-token answers), so the figures
 * describe the monitor: its probing client, store writes, metrics, SLO and alert bookkeeping.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMonitorConfig } from '../src/monitor/config/load-config.js';
import { startMonitor } from '../src/monitor/monitor.js';

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const quick = process.argv.includes('--quick');
const TARGETS = arg('targets', 1000);
const PROBES = arg('probes', quick ? 20_000 : 100_000);
const EVERY_S = arg('every', 1);

const child = fork(fileURLToPath(new URL('./client-server-process.ts', import.meta.url)), ['--server=lean'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const messages: unknown[] = [];
let wake: (() => void) | null = null;
child.on('message', (m) => {
  messages.push(m);
  wake?.();
});
const next = async (): Promise<unknown> => {
  while (messages.length === 0) await new Promise<void>((r) => (wake = r));
  return messages.shift();
};
const { url } = (await next()) as { url: string };
child.send({ cmd: 'behavior', behavior: { outputTokens: 4 } });
await next();

const dir = mkdtempSync(join(tmpdir(), 'inferscope-bench-monitor-'));
const store = join(dir, 'monitor.db');
const targets = Array.from({ length: TARGETS }, (_, i) => `  - name: t${i}\n    url: ${url}\n    model: m\n    scrape: off\n`).join('');
const config = parseMonitorConfig(`listen: 127.0.0.1:0\nstore: ${store}\nlocation: bench\ntargets:\n${targets}probes:\n  - name: p\n    every: ${EVERY_S}s\n    input_tokens: 10\n    output_tokens: 4\n    timeout: 10s\n`);
console.log(`Monitor benchmark: ${TARGETS} targets, one probe each every ${EVERY_S} s (${(TARGETS / EVERY_S).toFixed(0)} probes/s offered), until ${PROBES} probes; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
const monitor = await startMonitor(config, { apiKeys: new Map() });
let done = 0;
let failed = 0;
const started = performance.now();
const marks: string[] = [];
const rss = (): string => `${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`;
await new Promise<void>((resolve) => {
  monitor.onProbe((p) => {
    done++;
    if (!p.ok) failed++;
    if (done % Math.round(PROBES / 5) === 0) marks.push(`${done} probes: RSS ${rss()}, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
    if (done >= PROBES) resolve();
  });
});
const seconds = (performance.now() - started) / 1000;
const lag = await monitor.metrics.registry.getSingleMetric('inferscope_monitor_schedule_lag_seconds')!.get();
await monitor.close({ drain: false });
child.send({ cmd: 'exit' });

// Schedule lag p50/p99 from the histogram's cumulative buckets (upper bounds).
const buckets = lag.values.filter((v) => (v as { metricName?: string }).metricName === 'inferscope_monitor_schedule_lag_seconds_bucket').map((v) => ({ le: Number(v.labels.le), n: v.value }));
const total = buckets.find((b) => !Number.isFinite(b.le))?.n ?? 0;
const q = (p: number): string => {
  const hit = buckets.find((b) => b.n >= p * total);
  return hit && Number.isFinite(hit.le) ? `<= ${(hit.le * 1000).toFixed(1)} ms` : '> 10 s';
};
const bytes = statSync(store).size + (existsSync(`${store}-wal`) ? statSync(`${store}-wal`).size : 0);
console.log(`probes: ${done} in ${seconds.toFixed(1)} s = ${(done / seconds).toFixed(0)} probes/s sustained (${failed} failed)`);
console.log(`schedule lag: p50 ${q(0.5)}, p99 ${q(0.99)} (bucket bounds of inferscope_monitor_schedule_lag_seconds, ${total} slots)`);
console.log(`memory: ${marks.join('; ')}`);
console.log(`store: ${(bytes / 1e6).toFixed(1)} MB for ${done} probes = ${((bytes / done) * 1e6 / 1e9).toFixed(2)} GB per million probes (full records, 4-token answers)`);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
