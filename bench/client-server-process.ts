/**
 * The timing server in its own process, for bench/client.ts: the client under test must not share an event
 * loop (or a core) with the server it measures. `lean` (default) is bench/client-lean-server.ts; `http` is the
 * test suite's node:http timing server, to compare how much a heavier server adds. Talks to its parent over IPC:
 *   -> { url }                                      once listening
 *   <- { cmd: 'behavior', behavior }               set the behavior -> { ok: true }
 *   <- { cmd: 'stats' }  -> { stats: {key: ServerRequestStats}, cpuCores }   requests since the last stats
 *   <- { cmd: 'exit' }
 * Times sent to the parent are on the machine-wide monotonic clock (process.hrtime), in ms, so they compare
 * directly with the parent's own readings of that clock.
 */
import { performance } from 'node:perf_hooks';
import { startTimingServer } from '../test/support/timing-server.js';
import { monoOffsetMs } from './client-mono-clock.js';
import { startLeanServer, type LeanBehavior } from './client-lean-server.js';

/** What the server saw of one request, monotonic ms. */
export interface ServerRequestStats {
  /** When the socket read carrying the request reached JS (the http server only knows `received`). */
  read: number;
  /** When the handler had parsed the request and started its schedule. */
  received: number;
  /** Right before each token-chunk write. */
  writes: number[];
}

type Command = { cmd: 'behavior'; behavior: LeanBehavior } | { cmd: 'stats' } | { cmd: 'exit' };
interface Served {
  setBehavior(b: LeanBehavior): void;
  takeStats(offset: number): Record<string, ServerRequestStats>;
  url: string;
  close(): Promise<void>;
}

async function startServer(kind: string): Promise<Served> {
  if (kind === 'http') {
    const s = await startTimingServer();
    return {
      url: s.url,
      setBehavior: (b) => s.setBehavior(b),
      takeStats(offset) {
        const stats: Record<string, ServerRequestStats> = {};
        for (const r of s.requests) {
          const messages = r.body?.messages as Array<{ content: string }> | undefined;
          const key = messages?.[0]?.content ?? (r.body?.prompt as string | undefined);
          if (key === undefined) continue;
          stats[key] = { read: r.receivedAt + offset, received: r.receivedAt + offset, writes: r.writes.map((w) => w + offset) };
        }
        s.requests.length = 0;
        return stats;
      },
      close: () => s.close(),
    };
  }
  const s = await startLeanServer();
  return {
    url: s.url,
    setBehavior: (b) => s.setBehavior(b),
    takeStats(offset) {
      const stats: Record<string, ServerRequestStats> = {};
      for (const r of s.requests) {
        stats[r.key] = { read: r.readAt + offset, received: r.receivedAt + offset, writes: r.writes.map((w) => w + offset) };
      }
      s.requests.length = 0;
      return stats;
    },
    close: () => s.close(),
  };
}

const kind = process.argv.find((a) => a.startsWith('--server='))?.slice('--server='.length) ?? 'lean';
const server = await startServer(kind);
const offset = monoOffsetMs();
let cpuMark = process.cpuUsage();
let wallMark = performance.now();

process.on('message', (msg: Command) => {
  if (msg.cmd === 'behavior') {
    server.setBehavior(msg.behavior);
    process.send?.({ ok: true });
  } else if (msg.cmd === 'stats') {
    const stats = server.takeStats(offset);
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
process.send?.({ url: server.url });
