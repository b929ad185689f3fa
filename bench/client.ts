/**
 * Client benchmark: how fast the streaming client goes and how much time it adds to what it measures.
 *   npm run bench:client            (node --import tsx bench/client.ts [--quick] [--server=lean|http] [--levels=1,8,64,128,256])
 * 1. Ceiling: zero-delay server, 8-token streams, concurrency 64 -> requests/s and streamed tokens/s; then 512-token
 *    streams, so the CPU per streamed token shows apart from the CPU per request.
 * 2. Timing overhead at concurrency 1, 8, 64, 128, 256 with ttft 5 ms and 2 ms between tokens. The server process
 *    reports when it read each request and wrote each chunk (monotonic clock shared by both processes), and
 *    undici's diagnostics channels tell when the client wrote each request, so the TTFT overhead
 *    (measured TTFT - server TTFT) splits exactly into client dispatch lag + server read lag + first-chunk
 *    arrival lag; only the first and the last are the client's.
 * The server runs in a separate process so it neither shares the client's event loop nor its core. The default
 * `lean` server (bench/client-lean-server.ts) costs little per chunk, so its own event-loop delay stays small;
 * `--server=http` uses the test suite's node:http timing server instead, for comparison.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createOpenAIClient } from '../src/client/openai-client.js';
import { clientConfigFor } from '../test/support/timing-server.js';
import { createClock, type Clock } from '../src/measure/clock.js';
import type { RequestRecord } from '../src/measure/record.js';
import type { LeanBehavior } from './client-lean-server.js';
import { monoOffsetMs } from './client-mono-clock.js';
import { overheadSamples, p50p99 } from './client-overhead.js';
import { formatTable, percentile } from './client-report.js';
import type { ServerRequestStats } from './client-server-process.js';
import { WriteProbe } from './client-write-probe.js';

const quick = process.argv.includes('--quick');
const serverKind = process.argv.find((a) => a.startsWith('--server='))?.slice('--server='.length) ?? 'lean';
const CEILING_S = quick ? 2 : 5;
const OVERHEAD_S = quick ? 1.5 : 3;
const levelsArg = process.argv.find((a) => a.startsWith('--levels='))?.slice('--levels='.length);
const LEVELS = levelsArg ? levelsArg.split(',').map(Number) : [1, 8, 64, 128, 256];
const OVERHEAD_TOKENS = 32;
const LONG_TOKENS = 512;
/** The timing targets: measured TTFT minus the server's own, p50, at these concurrencies on a 2-core machine (ms). */
const TARGETS_MS = new Map([
  [8, 2],
  [128, 8],
]);

type StatsMsg = { stats: Record<string, ServerRequestStats>; cpuCores: number };
type ServerMsg = { url: string } | { ok: true } | StatsMsg;

class ServerProcess {
  private waiters: Array<(m: ServerMsg) => void> = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: ServerMsg) => this.waiters.shift()?.(m));
  }
  static async start(kind: string): Promise<{ proc: ServerProcess; url: string }> {
    const script = fileURLToPath(new URL('./client-server-process.ts', import.meta.url));
    const child = fork(script, [`--server=${kind}`], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const proc = new ServerProcess(child);
    const hello = (await proc.next()) as { url: string };
    return { proc, url: hello.url };
  }
  next(): Promise<ServerMsg> {
    return new Promise((r) => this.waiters.push(r));
  }
  async ask(msg: unknown): Promise<ServerMsg> {
    const p = this.next();
    this.child.send(msg as object);
    return p;
  }
  stop(): void {
    this.child.send({ cmd: 'exit' });
  }
}

/** Closed loop: `concurrency` workers each send back-to-back until `seconds` have passed. */
async function closedLoop(url: string, clock: Clock, concurrency: number, seconds: number, maxTokens: number): Promise<{ records: RequestRecord[]; wallS: number; cpuS: number }> {
  const client = createOpenAIClient(clientConfigFor({ url }, { connections: concurrency, includeUsage: true }), clock);
  const records: RequestRecord[] = [];
  let index = 0;
  const start = clock.now();
  const end = start + seconds * 1000;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (clock.now() < end) {
        const i = index++;
        const rec = await client.send({ prompt: `r${i}`, max_tokens: maxTokens, exact_output: false, input_tokens: 2 }, { index: i, warmup: false, t_sched: clock.now() });
        records.push(rec);
      }
    }),
  );
  const wallS = (clock.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await client.close();
  return { records, wallS, cpuS: (cpu.user + cpu.system) / 1e6 };
}

async function main(): Promise<void> {
  const load = (): string => `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores`;
  console.log(`Client benchmark (${load()}, ${serverKind} server); other processes competing for the cores inflate the overhead figures.`);
  const { proc, url } = await ServerProcess.start(serverKind);
  const clock = createClock();
  const offset = monoOffsetMs();
  const mono = (t: number): number => clock.origin + t + offset;
  const setBehavior = (b: LeanBehavior) => proc.ask({ cmd: 'behavior', behavior: b });

  // Warm up sockets, JIT and the server.
  await setBehavior({ outputTokens: 8 });
  await closedLoop(url, clock, 64, 0.5, 8);
  await proc.ask({ cmd: 'stats' });

  const ceiling = await closedLoop(url, clock, 64, CEILING_S, 8);
  await proc.ask({ cmd: 'stats' });
  const okCount = ceiling.records.filter((r) => r.ok).length;
  const tokens = ceiling.records.reduce((s, r) => s + r.chunks.length, 0);
  console.log(`\nCeiling (zero-delay server in its own process, 8-token streams, concurrency 64, ${CEILING_S} s)`);
  console.log(
    formatTable(
      ['requests', 'failed', 'req/s', 'streamed tokens/s', 'client CPU (cores)', 'req/s per client core'],
      [[okCount, ceiling.records.length - okCount, (okCount / ceiling.wallS).toFixed(0), (tokens / ceiling.wallS).toFixed(0), (ceiling.cpuS / ceiling.wallS).toFixed(2), (okCount / ceiling.cpuS).toFixed(0)]],
    ),
  );

  // Long streams: what one streamed token costs the client once a request's own costs are spread thin.
  await setBehavior({ outputTokens: LONG_TOKENS });
  const long = await closedLoop(url, clock, 64, CEILING_S, LONG_TOKENS);
  await proc.ask({ cmd: 'stats' });
  const longTokens = long.records.reduce((s, r) => s + r.chunks.length, 0);
  const perRequestUs = (ceiling.cpuS / okCount) * 1e6;
  const perTokenUs = (long.cpuS / longTokens) * 1e6;
  console.log(`\nClient CPU per request and per token (concurrency 64, zero-delay server)`);
  console.log(
    formatTable(
      ['stream', 'requests', 'tokens/s', 'client CPU (cores)', 'CPU per request (us)', 'CPU per token (us)'],
      [
        [`${8} tokens`, String(okCount), (tokens / ceiling.wallS).toFixed(0), (ceiling.cpuS / ceiling.wallS).toFixed(2), perRequestUs.toFixed(0), ((ceiling.cpuS / tokens) * 1e6).toFixed(2)],
        [`${LONG_TOKENS} tokens`, String(long.records.length), (longTokens / long.wallS).toFixed(0), (long.cpuS / long.wallS).toFixed(2), ((long.cpuS / long.records.length) * 1e6).toFixed(0), perTokenUs.toFixed(2)],
      ],
    ),
  );

  await setBehavior({ ttftMs: 5, itlMs: 2, outputTokens: OVERHEAD_TOKENS });
  const probe = new WriteProbe(clock);
  const ttftRows: string[][] = [];
  const streamRows: string[][] = [];
  const verdicts: string[] = [];
  for (const c of LEVELS) {
    probe.clear();
    const run = await closedLoop(url, clock, c, OVERHEAD_S, OVERHEAD_TOKENS);
    const { stats, cpuCores } = (await proc.ask({ cmd: 'stats' })) as StatsMsg;
    const s = overheadSamples(run.records, stats, probe, mono);
    const failed = run.records.filter((r) => !r.ok).length;
    ttftRows.push([String(c), String(s.matched), String(failed), p50p99(s.ttft), p50p99(s.client), p50p99(s.dispatch), p50p99(s.poolWait), p50p99(s.serverRead), p50p99(s.firstArrival)]);
    streamRows.push([String(c), p50p99(s.arrival), p50p99(s.itl), (run.cpuS / run.wallS).toFixed(2), cpuCores.toFixed(2)]);
    if (s.unprobed > 0) console.log(`  (concurrency ${c}: ${s.unprobed} requests had no write time from undici's diagnostics channel)`);
    const target = TARGETS_MS.get(c);
    if (target !== undefined) {
      const ttft = percentile(s.ttft, 50);
      const client = percentile(s.client, 50);
      verdicts.push(`Target at concurrency ${c}: TTFT overhead p50 ${ttft.toFixed(3)} ms < ${target} ms: ${ttft < target ? 'met' : 'NOT met'} (the client's own share ${client.toFixed(3)} ms).`);
    }
  }
  probe.stop();
  console.log(`\nTTFT overhead split, ms p50 / p99 (ttft 5 ms, itl 2 ms, ${OVERHEAD_TOKENS} tokens, ${OVERHEAD_S} s per level)`);
  console.log(formatTable(['concurrency', 'requests', 'failed', 'TTFT overhead', 'client overhead', 'dispatch lag', '(pool wait)', 'server read lag', 'first arrival lag'], ttftRows));
  console.log(
    [
      'TTFT overhead     = measured TTFT - server TTFT (first chunk write - request handled) = dispatch + server read + first arrival.',
      'client overhead   = dispatch lag + first arrival lag: what the client itself adds to a TTFT.',
      "dispatch lag      = undici starts writing the request to its socket (diagnostics channel) - t_send. Reusing a",
      "                    keep-alive socket costs one event-loop turn (undici's idle-socket check), so it grows with the",
      '                    reads the client processes per turn; (pool wait) is the part spent waiting for a free connection.',
      "server read lag   = server handled the request - client write: write syscall, loopback, the server's event-loop delay.",
      'first arrival lag = client read of the first token chunk - server write of it.',
    ].join('\n'),
  );
  console.log(`\nStreaming, ms p50 / p99`);
  console.log(formatTable(['concurrency', 'arrival lag', 'ITL overhead', 'client CPU', 'server CPU'], streamRows));
  console.log(
    [
      'arrival lag  = client read time - server write time, every token chunk.',
      'ITL overhead = measured gap - written gap; can be negative (a late chunk shortens the next gap).',
      'CPU in cores; a server CPU near 1.00 means the one-process server, not the client, sets the figures at that level.',
      '',
      ...verdicts,
      `Finished with ${load()}.`,
    ].join('\n'),
  );
  proc.stop();
}

await main();
