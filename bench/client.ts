/**
 * Client benchmark: how fast the streaming client goes and how much time it adds to what it measures.
 *   npm run bench:client            (node --import tsx bench/client.ts [--quick])
 * 1. Ceiling: zero-delay server, 8-token streams, concurrency 64, ~5 s -> requests/s and streamed tokens/s.
 * 2. Timing overhead at concurrency 1, 64, 128, 256 with ttft 5 ms and 2 ms between tokens: the server process
 *    reports when it wrote each chunk (monotonic clock shared by both processes) and the bench compares:
 *    TTFT overhead = measured TTFT - server TTFT (first write - request received), ITL overhead = measured gap -
 *    written gap, and delivery lag = arrival - write for every chunk.
 * The server runs in a separate process so it neither shares the client's event loop nor its core.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createOpenAIClient } from '../src/client/openai-client.js';
import type { TimingBehavior } from '../test/support/timing-server.js';
import { clientConfigFor } from '../test/support/timing-server.js';
import { createClock, type Clock } from '../src/measure/clock.js';
import type { RequestRecord } from '../src/measure/record.js';
import { monoOffsetMs } from './client-mono-clock.js';
import { formatTable, percentile } from './client-report.js';

const quick = process.argv.includes('--quick');
const CEILING_S = quick ? 2 : 5;
const OVERHEAD_S = quick ? 1.5 : 3;
const LEVELS = [1, 64, 128, 256];
const OVERHEAD_TOKENS = 32;

type ServerMsg = { url: string; monoOffsetMs: number } | { ok: true } | { stats: Record<string, { received: number; writes: number[] }> };

class ServerProcess {
  private waiters: Array<(m: ServerMsg) => void> = [];
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: ServerMsg) => this.waiters.shift()?.(m));
  }
  static async start(): Promise<{ proc: ServerProcess; url: string }> {
    const script = fileURLToPath(new URL('./client-server-process.ts', import.meta.url));
    const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
  console.log(`Client benchmark (${load()}); other processes competing for the cores inflate the overhead figures.`);
  const { proc, url } = await ServerProcess.start();
  const clock = createClock();
  const offset = monoOffsetMs();
  const mono = (t: number): number => clock.origin + t + offset;
  const setBehavior = (b: TimingBehavior) => proc.ask({ cmd: 'behavior', behavior: b });

  // Warm up sockets, JIT and the server.
  await setBehavior({ outputTokens: 8 });
  await closedLoop(url, clock, 64, 0.5, 8);
  await proc.ask({ cmd: 'stats' });

  const ceiling = await closedLoop(url, clock, 64, CEILING_S, 8);
  await proc.ask({ cmd: 'stats' });
  const okCount = ceiling.records.filter((r) => r.ok).length;
  const tokens = ceiling.records.reduce((s, r) => s + r.chunks.length, 0);
  const reqPerS = okCount / ceiling.wallS;
  console.log(`\nCeiling (zero-delay server in its own process, 8-token streams, concurrency 64, ${CEILING_S} s)`);
  console.log(
    formatTable(
      ['requests', 'failed', 'req/s', 'streamed tokens/s', 'client CPU (cores)', 'req/s per client core'],
      [[okCount, ceiling.records.length - okCount, reqPerS.toFixed(0), (tokens / ceiling.wallS).toFixed(0), (ceiling.cpuS / ceiling.wallS).toFixed(2), (okCount / ceiling.cpuS).toFixed(0)]],
    ),
  );

  await setBehavior({ ttftMs: 5, itlMs: 2, outputTokens: OVERHEAD_TOKENS });
  const rows: Array<Array<string | number>> = [];
  for (const c of LEVELS) {
    const run = await closedLoop(url, clock, c, OVERHEAD_S, OVERHEAD_TOKENS);
    const { stats, cpuCores } = (await proc.ask({ cmd: 'stats' })) as { stats: Record<string, { received: number; writes: number[] }>; cpuCores: number };
    const sendPath: number[] = [];
    const ttftOver: number[] = [];
    const itlOver: number[] = [];
    const lag: number[] = [];
    let matched = 0;
    for (const r of run.records) {
      const s = stats[`r${r.index}`];
      if (!r.ok || !s || s.writes.length !== r.chunks.length || r.chunks.length === 0) continue;
      matched++;
      const serverTtft = (s.writes[0] as number) - s.received;
      ttftOver.push((r.chunks[0] as { t: number }).t - r.t_send - serverTtft);
      sendPath.push(s.received - mono(r.t_send));
      for (let k = 0; k < r.chunks.length; k++) {
        lag.push(mono((r.chunks[k] as { t: number }).t) - (s.writes[k] as number));
        if (k > 0) itlOver.push((r.chunks[k] as { t: number }).t - (r.chunks[k - 1] as { t: number }).t - ((s.writes[k] as number) - (s.writes[k - 1] as number)));
      }
    }
    const ms = (x: number): string => x.toFixed(3);
    rows.push([
      c,
      matched,
      run.records.length - run.records.filter((r) => r.ok).length,
      ms(percentile(ttftOver, 50)),
      ms(percentile(ttftOver, 99)),
      ms(percentile(itlOver, 50)),
      ms(percentile(itlOver, 99)),
      ms(percentile(lag, 50)),
      ms(percentile(lag, 99)),
      ms(percentile(sendPath, 50)),
      ms(percentile(sendPath, 99)),
      (run.cpuS / run.wallS).toFixed(2),
      cpuCores.toFixed(2),
    ]);
  }
  console.log(`\nTiming overhead, ms (ttft 5 ms, itl 2 ms, ${OVERHEAD_TOKENS} tokens, ${OVERHEAD_S} s per level; measured minus server-written)`);
  console.log(
    formatTable(['concurrency', 'requests', 'failed', 'TTFT p50', 'TTFT p99', 'ITL p50', 'ITL p99', 'arrival lag p50', 'arrival lag p99', 'send->recv p50', 'send->recv p99', 'client CPU', 'server CPU'], rows),
  );
  console.log(
    [
      '',
      'TTFT overhead = send->recv (client send until the server has read the body) + arrival lag of the first chunk.',
      'arrival lag = client read time - server write time of the same chunk; ITL overhead can be negative (a late chunk shortens the next gap).',
      'A server CPU near 1.00 means the one-process server, not the client, sets the figures at that level.',
      `Finished with ${load()}.`,
    ].join('\n'),
  );
  proc.stop();
}

await main();
