/**
 * The client's ceiling with 1, 2 and 4 workers (bench --workers N: processes sharing one schedule), against a
 * zero-delay server in its own process: requests/s for short streams (8 tokens) and tokens/s for long ones (256),
 * and the client's CPU time per request and per streamed token (all bench processes, start-up included). Then the
 * error of HDR histograms merged over 4 shards against exact percentiles of the same records.
 * Usage: npm run bench:scale [-- merge]   (figures depend on the cores left once the server has its share)
 */
import { spawn } from 'node:child_process';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestRecord } from '../src/measure/record.js';
import { summarizeAggregate } from '../src/stats/aggregate-summary.js';
import { RunAggregate } from '../src/stats/run-aggregate.js';
import { summarize } from '../src/stats/summary.js';
import { requestMetrics } from '../src/stats/request-metrics.js';

const BIN = fileURLToPath(new URL('../bin/inferscope.js', import.meta.url));
const SECONDS = 5;
const MEMORY_SECONDS = 20;

async function startServer(): Promise<{ url: string; set: (tokens: number, paced?: { ttftMs: number; itlMs: number }) => Promise<void>; stop: () => void }> {
  const child = fork(fileURLToPath(new URL('./client-server-process.ts', import.meta.url)), ['--server=lean'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<{ url?: string }> => new Promise((r) => child.once('message', r as (m: unknown) => void));
  const hello = await next();
  return {
    url: hello.url!,
    set: async (tokens, paced) => {
      const p = next();
      child.send({ cmd: 'behavior', behavior: { outputTokens: tokens, ...paced } });
      await p;
    },
    stop: () => child.send({ cmd: 'exit' }),
  };
}

/** CPU seconds of this process's waited-for children and their descendants (/proc/self/stat cutime + cstime). */
function childrenCpuS(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // Fields 16 and 17 of stat(5), counted from "state" (field 3) here; clock ticks of 10 ms on Linux.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface Figures { reqS: number; tokS: number; cpu: string; cpuPerRequestUs: number; cpuPerTokenUs: number }

function bench(url: string, workers: number, tokens: number): Promise<Figures> {
  const cpuBefore = childrenCpuS();
  const args = [BIN, 'bench', '--url', url, '--model', 'm', '--workers', String(workers), '--concurrency', '64', '--duration', String(SECONDS), '--warmup', '0',
    '--input-tokens', '8', '--output-tokens', String(tokens), '--no-probe', '--no-calibrate', '--no-scrape', '--no-db', '--json', '--max-error-rate', '1'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('close', (code) => {
      if (code !== 0 && code !== 3) return reject(new Error(`bench exited ${code}: ${err.slice(-500)}`));
      const doc = JSON.parse(out);
      const shards = (doc.run.config.merged_shards ?? []) as Array<{ fidelity: string | null }>;
      const cpuS = childrenCpuS() - cpuBefore;
      resolve({
        reqS: doc.summary.throughput.requests_per_s,
        tokS: doc.summary.throughput.output_tokens_per_s,
        cpu: shards.map((s) => s.fidelity ?? '-').join('/') || (doc.summary.fidelity?.status ?? '-'),
        cpuPerRequestUs: (cpuS * 1e6) / Math.max(1, doc.summary.requests.total),
        cpuPerTokenUs: (cpuS * 1e6) / Math.max(1, doc.summary.tokens.output.total),
      });
    });
  });
}

const server = await startServer();
console.log(`bench --workers against a zero-delay server in its own process; concurrency 64, ${SECONDS} s per level, ${availableParallelism()} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('workers  short streams (8 tok) req/s  CPU µs/req  long streams (256 tok) tok/s  CPU µs/token  worker fidelity');
// `npm run bench:scale -- merge` prints only the merge error.
for (const workers of process.argv[2] === 'merge' ? [] : [1, 2, 4]) {
  await server.set(8);
  const short = await bench(server.url, workers, 8);
  await server.set(256);
  const long = await bench(server.url, workers, 256);
  console.log(
    `${String(workers).padStart(7)}  ${short.reqS.toFixed(0).padStart(28)}  ${short.cpuPerRequestUs.toFixed(0).padStart(10)}  ` +
      `${long.tokS.toFixed(0).padStart(29)}  ${long.cpuPerTokenUs.toFixed(2).padStart(12)}  ${short.cpu} ${long.cpu}`,
  );
}

// Memory: the same long run keeping every record, and none (max RSS of the bench process, GNU time).
if (process.argv[2] !== 'merge') {
  await server.set(8);
  console.log(`\nmemory of one client process, concurrency 64, 8-token streams, ${MEMORY_SECONDS} s:`);
  for (const records of ['all', 'none']) {
    const m = await maxRss(server.url, records);
    console.log(`  --records ${records.padEnd(5)} ${String(m.requests).padStart(8)} requests   max RSS ${(m.rssKb / 1024).toFixed(0).padStart(5)} MB`);
  }
}

// HDR merge error: one run's records split into 4 shards by index, each folded into histograms, serialized, merged.
const dir = mkdtempSync(join(tmpdir(), 'inferscope-bench-scale-'));
try {
  // Paced streams, so inter-token latencies spread over real values.
  await server.set(32, { ttftMs: 5, itlMs: 1 });
  const out = join(dir, 'run');
  await benchOut(server.url, out);
  const records = readFileSync(join(out, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RequestRecord);
  const exact = summarize(records);
  const options = { slo: null, tpotNaIsGood: false };
  const merged = new RunAggregate(options);
  for (let k = 0; k < 4; k++) {
    const shard = RunAggregate.fromRecords(records.filter((r) => r.index % 4 === k), options);
    merged.merge(RunAggregate.fromJSON(JSON.parse(JSON.stringify(shard.toJSON()))));
  }
  const hdr = summarizeAggregate(merged);
  console.log(`\nHDR merge error over 4 shards, ${records.length} requests (32-token streams paced at 1 ms, concurrency 64):`);
  console.log('error against the exact sample at that rank (the histogram\'s own error) / against numpy-linear interpolation');
  console.log('metric       samples            p50                    p99                  p99.9');
  const measured = records.filter((r) => !r.warmup && r.ok).map(requestMetrics);
  const samples = { ttft_ms: measured.map((m) => m.ttft_ms), tpot_ms: measured.map((m) => m.tpot_ms), e2e_ms: measured.map((m) => m.e2e_ms), itl_ms: measured.flatMap((m) => m.itl_ms) };
  for (const m of ['ttft_ms', 'itl_ms', 'tpot_ms', 'e2e_ms'] as const) {
    const sorted = Float64Array.from(samples[m].filter((v): v is number => v !== null)).sort();
    const rank = (q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
    const pct = (got: number, want: number): string => (want > 0 ? `${(((got - want) / want) * 100).toFixed(3)}%` : '-');
    const cell = (k: 'p50' | 'p99' | 'p999', q: number): string => `${exact[m][k]!.toFixed(3)} ms ${pct(hdr[m][k]!, rank(q))}/${pct(hdr[m][k]!, exact[m][k]!)}`.padStart(24);
    console.log(`${m.padEnd(8)} ${String(sorted.length).padStart(10)}  ${cell('p50', 0.5)} ${cell('p99', 0.99)} ${cell('p999', 0.999)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  server.stop();
}

function benchOut(url: string, out: string): Promise<void> {
  const args = [BIN, 'bench', '--url', url, '--model', 'm', '--concurrency', '64', '--duration', String(SECONDS), '--warmup', '0', '--input-tokens', '8', '--output-tokens', '32',
    '--no-probe', '--no-calibrate', '--no-scrape', '--no-db', '--max-error-rate', '1', '--out', out];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('close', (code) => (code === 0 || code === 3 ? resolve() : reject(new Error(`bench exited ${code}: ${err.slice(-500)}`))));
  });
}

function maxRss(url: string, records: string): Promise<{ requests: number; rssKb: number }> {
  const args = ['-f', 'maxrss %M', process.execPath, BIN, 'bench', '--url', url, '--model', 'm', '--concurrency', '64', '--duration', String(MEMORY_SECONDS), '--warmup', '0',
    '--input-tokens', '8', '--output-tokens', '8', '--no-probe', '--no-calibrate', '--no-scrape', '--no-db', '--max-error-rate', '1', '--records', records, '--json'];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('close', (code) => {
      const rss = /maxrss (\d+)/.exec(err);
      if ((code !== 0 && code !== 3) || !rss) return reject(new Error(`bench exited ${code}: ${err.slice(-500)}`));
      resolve({ requests: JSON.parse(out).summary.requests.total, rssKb: Number(rss[1]) });
    });
  });
}
