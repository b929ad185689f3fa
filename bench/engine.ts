/**
 * Throughput and latency of the embedded llama.cpp server, and what the HTTP layer adds.
 * Usage: node --import tsx bench/engine.ts [preset ...]   (default: tiny small)
 *
 * For each preset and concurrency (1, 4, 8) a closed loop of streaming clients sends completions with
 * ignore_eos (fixed output length). Server-side TTFT and per-token decode time come from /metrics deltas;
 * the difference to the client-measured figures is the cost of HTTP, SSE framing and the event loop.
 * The server runs in a child process, as it would for a real benchmark, so client work does not slow it.
 * When llama.cpp's own llama-server has been built (`inferscope build-engine`), the same levels run against the
 * embedded engine on it (what `bench` starts by default then: same model, threads and slots), and a second table
 * sets the two backends side by side.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { startEmbeddedServer } from '../src/engine/server.js';
import { sampleValue, streamProbe } from '../test/support/engine-probe.js';
import { llamaServerBinary } from '../test/support/llama-server.js';
import { startEngineProcess } from '../src/engine/engine-process.js';
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
  child: ChildProcess | null;
  /** Serves vLLM-named /metrics (the embedded engine); llama-server's are only client-side here. */
  vllmMetrics: boolean;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function scrape(server: ServerHandle): Promise<{ decodeSum: number; tokens: number; requests: number; ttftSum: number }> {
  if (!server.vllmMetrics) return { decodeSum: Number.NaN, tokens: Number.NaN, requests: Number.NaN, ttftSum: Number.NaN };
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
        const r = await streamProbe(server.url, '/completions', { prompt: PROMPT, max_tokens: MAX_TOKENS, ignore_eos: true, temperature: 1, ...(server.vllmMetrics ? {} : { cache_prompt: false }) }, { freshConnection: !server.vllmMetrics });
        // llama-server may fold a token that decodes to no text into the next chunk.
        const expected = server.vllmMetrics ? r.pieces.length === MAX_TOKENS : r.pieces.length >= MAX_TOKENS - 4;
        if (r.status !== 200 || !expected) throw new Error(`bad response: status ${r.status}, ${r.pieces.length} tokens`);
        results.push(r);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const after = await scrape(server);
  const requests = after.requests - before.requests;
  const tokens = server.vllmMetrics ? after.tokens - before.tokens : results.length * MAX_TOKENS;
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
  return { url, child, vllmMetrics: true };
}

/** Embedded vs llama-server at each preset and concurrency: output tok/s and client TTFT, with ratios. */
function printSideBySide(embedded: Row[], reference: Row[]): string {
  const head = ['preset', 'conc', 'node-llama-cpp tok/s', 'llama-server tok/s', 'ratio', 'TTFT ms node-llama-cpp', 'TTFT ms llama-server', 'TTFT ratio'];
  const body = embedded.flatMap((e) => {
    const r = reference.find((x) => x.preset === e.preset && x.concurrency === e.concurrency);
    if (!r) return [];
    return [[e.preset, String(e.concurrency), e.outputTokPerS.toFixed(0), r.outputTokPerS.toFixed(0), (e.outputTokPerS / r.outputTokPerS).toFixed(2), e.ttftMsClient.toFixed(1), r.ttftMsClient.toFixed(1), (e.ttftMsClient / r.ttftMsClient).toFixed(2)]];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function measureAll(server: ServerHandle, preset: string, label: string, into: Row[]): Promise<void> {
  // One warm-up request so first-use costs (allocations, page faults) stay out of the figures.
  await streamProbe(server.url, '/completions', { prompt: PROMPT, max_tokens: 8, ignore_eos: true }, { freshConnection: !server.vllmMetrics });
  for (const c of CONCURRENCIES) {
    const row = await runLevel(server, preset, c);
    into.push(row);
    process.stderr.write(`${label} ${preset} c=${c}: ${row.outputTokPerS.toFixed(0)} tok/s\n`);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return serveChild(process.argv[3] ?? 'tiny');
  const presets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['tiny', 'small'];
  const rows: Row[] = [];
  const reference: Row[] = [];
  const binary = llamaServerBinary();
  for (const preset of presets) {
    const t0 = performance.now();
    const server = await spawnServer(preset);
    process.stderr.write(`${preset}: server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    try {
      await measureAll(server, preset, 'embedded', rows);
    } finally {
      server.child?.kill('SIGTERM');
    }
    if (!binary) continue;
    // Exactly what `bench` starts as its embedded engine when llama-server is built.
    const ls = await startEngineProcess({ preset, parallel: Math.max(...CONCURRENCIES), threads: 1, backend: 'llama-server' });
    try {
      await measureAll({ url: ls.url, child: null, vllmMetrics: false }, preset, 'llama-server', reference);
    } finally {
      await ls.close();
    }
  }
  console.log(`prompt ~${PROMPT.split(' ').length} words, ${MAX_TOKENS} output tokens, ${REQUESTS_PER_CLIENT} requests per client, threads 1, parallel 8`);
  console.log(printTable(rows));
  if (binary) {
    console.log('\nthe embedded engine on node-llama-cpp vs on llama.cpp llama-server, its default once built (same GGUF, threads 1, 8 slots; client-side figures)');
    console.log(printSideBySide(rows, reference));
  } else {
    console.log('\n(llama-server not built: `inferscope build-engine` adds the side-by-side table)');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
