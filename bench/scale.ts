/**
 * The client's ceiling with 1, 2 and 4 workers (bench --workers N: processes sharing one schedule), against a
 * zero-delay server in its own process: requests/s for short streams (8 tokens) and tokens/s for long ones (256).
 * Usage: npm run bench:scale   (figures depend on the cores left once the server has its share)
 */
import { spawn } from 'node:child_process';
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/inferscope.js', import.meta.url));
const SECONDS = 5;

async function startServer(): Promise<{ url: string; set: (tokens: number) => Promise<void>; stop: () => void }> {
  const child = fork(fileURLToPath(new URL('./client-server-process.ts', import.meta.url)), ['--server=lean'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<{ url?: string }> => new Promise((r) => child.once('message', r as (m: unknown) => void));
  const hello = await next();
  return {
    url: hello.url!,
    set: async (tokens) => {
      const p = next();
      child.send({ cmd: 'behavior', behavior: { outputTokens: tokens } });
      await p;
    },
    stop: () => child.send({ cmd: 'exit' }),
  };
}

function bench(url: string, workers: number, tokens: number): Promise<{ reqS: number; tokS: number; cpu: string }> {
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
      resolve({ reqS: doc.summary.throughput.requests_per_s, tokS: doc.summary.throughput.output_tokens_per_s, cpu: shards.map((s) => s.fidelity ?? '-').join('/') || (doc.summary.fidelity?.status ?? '-') });
    });
  });
}

const server = await startServer();
console.log(`bench --workers against a zero-delay server in its own process; concurrency 64, ${SECONDS} s per level, ${availableParallelism()} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('workers  short streams (8 tok) req/s  long streams (256 tok) tok/s  worker fidelity');
for (const workers of [1, 2, 4]) {
  await server.set(8);
  const short = await bench(server.url, workers, 8);
  await server.set(256);
  const long = await bench(server.url, workers, 256);
  console.log(`${String(workers).padStart(7)}  ${short.reqS.toFixed(0).padStart(28)}  ${long.tokS.toFixed(0).padStart(29)}  ${short.cpu} ${long.cpu}`);
}
server.stop();
