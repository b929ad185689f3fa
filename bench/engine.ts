/**
 * Throughput and latency of the embedded llama.cpp server, and what the HTTP layer adds.
 * Usage: node --import tsx bench/engine.ts [preset ...]   (default: tiny small)
 *
 * For each preset and concurrency (1, 4, 8) a closed loop of streaming clients sends completions with
 * ignore_eos (fixed output length). Server-side TTFT and per-token decode time come from /metrics deltas;
 * the difference to the client-measured figures is the cost of HTTP, SSE framing and the event loop.
 * The server runs in a child process, as it would for a real benchmark, so client work does not slow it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { startEmbeddedServer } from '../src/engine/server.js';
import { sampleValue, streamProbe } from '../test/support/engine-probe.js';
import type { ProbeResult } from '../test/support/engine-probe.js';

const CONCURRENCIES = [1, 4, 8];
const MAX_TOKENS = 128;
const REQUESTS_PER_CLIENT = 3;
const PROMPT = 'Measure how fast the model answers when many clients ask at once. '.repeat(6);

interface Row {
  preset: string;
  concurrency: number;
  requests: number;
  outputTokPerS: number;
  ttftMsClient: number;
  ttftMsServer: number;
  tpotMsClient: number;
  tpotMsServer: number;
}

interface ServerHandle {
  url: string;
  child: ChildProcess;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function scrape(server: ServerHandle): Promise<{ decodeSum: number; tokens: number; requests: number; ttftSum: number }> {
  const text = await (await fetch(server.url.replace(/\/v1$/, '/metrics'))).text();
  return {
    decodeSum: sampleValue(text, 'vllm:request_decode_time_seconds_sum') ?? 0,
    tokens: sampleValue(text, 'vllm:generation_tokens_total') ?? 0,
    requests: sampleValue(text, 'vllm:request_decode_time_seconds_count') ?? 0,
    ttftSum: sampleValue(text, 'vllm:time_to_first_token_seconds_sum') ?? 0,
  };
}

async function runLevel(server: ServerHandle, preset: string, concurrency: number): Promise<Row> {
  const before = await scrape(server);
  const results: ProbeResult[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        const r = await streamProbe(server.url, '/completions', { prompt: PROMPT, max_tokens: MAX_TOKENS, ignore_eos: true, temperature: 1 });
        if (r.status !== 200 || r.pieces.length !== MAX_TOKENS) throw new Error(`bad response: status ${r.status}, ${r.pieces.length} tokens`);
        results.push(r);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const after = await scrape(server);
  const requests = after.requests - before.requests;
  const tokens = after.tokens - before.tokens;
  return {
    preset,
    concurrency,
    requests: results.length,
    outputTokPerS: tokens / wall,
    ttftMsClient: mean(results.map((r) => r.pieceTimes[0]! - r.sentAt)),
    ttftMsServer: ((after.ttftSum - before.ttftSum) / requests) * 1000,
    tpotMsClient: mean(results.map((r) => (r.pieceTimes.at(-1)! - r.pieceTimes[0]!) / (r.pieces.length - 1))),
    tpotMsServer: ((after.decodeSum - before.decodeSum) / (tokens - requests)) * 1000,
  };
}

function printTable(rows: Row[]): string {
  const head = ['preset', 'conc', 'reqs', 'out tok/s', 'TTFT ms (client)', 'TTFT ms (server)', 'TPOT ms (client)', 'TPOT ms (server)', 'HTTP ms/tok'];
  const body = rows.map((r) => [
    r.preset,
    String(r.concurrency),
    String(r.requests),
    r.outputTokPerS.toFixed(0),
    r.ttftMsClient.toFixed(2),
    r.ttftMsServer.toFixed(2),
    r.tpotMsClient.toFixed(3),
    r.tpotMsServer.toFixed(3),
    (r.tpotMsClient - r.tpotMsServer).toFixed(3),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Child mode: start the server and print its URL as one JSON line. */
async function serveChild(preset: string): Promise<void> {
  const server = await startEmbeddedServer({ preset, parallel: Math.max(...CONCURRENCIES) });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

async function spawnServer(preset: string): Promise<ServerHandle> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve', preset], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server for ${preset} exited with code ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, child };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return serveChild(process.argv[3] ?? 'tiny');
  const presets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['tiny', 'small'];
  const rows: Row[] = [];
  for (const preset of presets) {
    const t0 = performance.now();
    const server = await spawnServer(preset);
    process.stderr.write(`${preset}: server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    try {
      // One warm-up request so first-use costs (allocations, page faults) stay out of the figures.
      await streamProbe(server.url, '/completions', { prompt: PROMPT, max_tokens: 8, ignore_eos: true });
      for (const c of CONCURRENCIES) {
        const row = await runLevel(server, preset, c);
        rows.push(row);
        process.stderr.write(`${preset} c=${c}: ${row.outputTokPerS.toFixed(0)} tok/s\n`);
      }
    } finally {
      server.child.kill('SIGTERM');
    }
  }
  console.log(`prompt ~${PROMPT.split(' ').length} words, ${MAX_TOKENS} output tokens, ${REQUESTS_PER_CLIENT} requests per client, threads 1, parallel 8`);
  console.log(printTable(rows));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
