/**
 * The timing server in its own process, for bench/client.ts: the client under test must not share an event
 * loop (or a core) with the server it measures. Talks to its parent over IPC:
 *   -> { url, monoOffsetMs }                      once listening
 *   <- { cmd: 'behavior', behavior }               set the behavior
 *   <- { cmd: 'stats' }  -> { stats: {key: {received, writes[]}}, cpuCores }   requests since the last stats
 *   <- { cmd: 'exit' }
 * Times sent to the parent are on the machine-wide monotonic clock (process.hrtime), in ms, so they compare
 * directly with the parent's own readings of that clock.
 */
import { performance } from 'node:perf_hooks';
import { startTimingServer, type TimingBehavior } from '../test/support/timing-server.js';
import { monoOffsetMs } from './client-mono-clock.js';

type Command = { cmd: 'behavior'; behavior: TimingBehavior } | { cmd: 'stats' } | { cmd: 'exit' };

const server = await startTimingServer();
const offset = monoOffsetMs();
let cpuMark = process.cpuUsage();
let wallMark = performance.now();

process.on('message', (msg: Command) => {
  if (msg.cmd === 'behavior') {
    server.setBehavior(msg.behavior);
    process.send?.({ ok: true });
  } else if (msg.cmd === 'stats') {
    const stats: Record<string, { received: number; writes: number[] }> = {};
    for (const r of server.requests) {
      const messages = r.body?.messages as Array<{ content: string }> | undefined;
      const key = messages?.[0]?.content ?? (r.body?.prompt as string | undefined);
      if (key === undefined) continue;
      stats[key] = { received: r.receivedAt + offset, writes: r.writes.map((w) => w + offset) };
    }
    server.requests.length = 0;
    const cpu = process.cpuUsage(cpuMark);
    const cpuCores = (cpu.user + cpu.system) / 1000 / (performance.now() - wallMark);
    cpuMark = process.cpuUsage();
    wallMark = performance.now();
    process.send?.({ stats, cpuCores });
  } else if (msg.cmd === 'exit') {
    void server.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ url: server.url, monoOffsetMs: offset });
