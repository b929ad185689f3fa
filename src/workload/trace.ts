/**
 * Request traces to replay: when each request arrived and how long its prompt and answer were.
 * - Azure LLM inference trace CSV: `TIMESTAMP,ContextTokens,GeneratedTokens` (TIMESTAMP like
 *   `2023-11-16 18:15:46.6805900`, UTC).
 * - Mooncake-style JSONL: `{"timestamp": ms, "input_length": N, "output_length": M, "hash_ids": [...]}`; requests that
 *   share leading hash ids share that many 512-token prompt blocks.
 * Entries are sorted by time; times are made relative to the first.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from './dataset-error.js';

export interface TraceEntry {
  /** Arrival time in ms after the trace's first request. */
  timeMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Prompt block ids (Mooncake): equal leading ids mean an equal prompt prefix. */
  hashIds?: number[];
}

export interface Trace {
  path: string;
  format: 'azure-csv' | 'mooncake-jsonl';
  entries: TraceEntry[];
  /** Entries whose output length was 0, sent with max_tokens 1. */
  zeroOutputs: number;
}

/** Tokens per hash-id block in Mooncake traces. */
export const TRACE_BLOCK_TOKENS = 512;

export function loadTrace(path: string): Trace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DatasetError(path, null, `cannot read the trace: ${(err as Error).message}`, { cause: err });
  }
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) throw new DatasetError(path, null, 'the trace is empty');
  const jsonl = lines[first]!.trimStart().startsWith('{');
  const raw = jsonl ? parseJsonl(path, lines) : parseAzureCsv(path, lines, first);
  if (raw.length === 0) throw new DatasetError(path, null, 'the trace has no requests');
  // Stable sort: equal times keep file order.
  const sorted = raw.map((e, i) => ({ e, i })).sort((a, b) => a.e.timeMs - b.e.timeMs || a.i - b.i).map((x) => x.e);
  const t0 = sorted[0]!.timeMs;
  let zeroOutputs = 0;
  const entries = sorted.map((e) => {
    if (e.outputTokens === 0) zeroOutputs++;
    return { ...e, timeMs: e.timeMs - t0, outputTokens: Math.max(1, e.outputTokens) };
  });
  return { path, format: jsonl ? 'mooncake-jsonl' : 'azure-csv', entries, zeroOutputs };
}

function count(path: string, line: number, name: string, v: unknown, min: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new DatasetError(path, line, `${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function parseJsonl(path: string, lines: string[]): TraceEntry[] {
  const out: TraceEntry[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new DatasetError(path, i + 1, 'not a JSON object');
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new DatasetError(path, i + 1, 'not a JSON object');
    const t = o.timestamp;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw new DatasetError(path, i + 1, `timestamp (ms) must be a number >= 0, got ${JSON.stringify(t)}`);
    const entry: TraceEntry = { timeMs: t, inputTokens: count(path, i + 1, 'input_length', o.input_length, 1), outputTokens: count(path, i + 1, 'output_length', o.output_length, 0) };
    if (o.hash_ids !== undefined) {
      if (!Array.isArray(o.hash_ids) || !o.hash_ids.every((h) => Number.isInteger(h))) throw new DatasetError(path, i + 1, 'hash_ids must be an array of integers');
      const needed = Math.ceil(entry.inputTokens / TRACE_BLOCK_TOKENS);
      if (o.hash_ids.length > needed) throw new DatasetError(path, i + 1, `${o.hash_ids.length} hash_ids for ${entry.inputTokens} input tokens (at most ${needed} blocks of ${TRACE_BLOCK_TOKENS})`);
      entry.hashIds = o.hash_ids as number[];
    }
    out.push(entry);
  });
  return out;
}

const AZURE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

function parseAzureCsv(path: string, lines: string[], headerLine: number): TraceEntry[] {
  const header = lines[headerLine]!.split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string): number => {
    const i = header.indexOf(name.toLowerCase());
    if (i < 0) throw new DatasetError(path, headerLine + 1, `the CSV header needs TIMESTAMP, ContextTokens and GeneratedTokens (Azure LLM inference trace); missing ${name}`);
    return i;
  };
  const [ts, ctx, gen] = [col('TIMESTAMP'), col('ContextTokens'), col('GeneratedTokens')];
  const out: TraceEntry[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    const cells = l.split(',');
    const m = AZURE_TIME.exec((cells[ts] ?? '').trim());
    if (!m) throw new DatasetError(path, i + 1, `TIMESTAMP must look like 2023-11-16 18:15:46.6805900, got ${JSON.stringify(cells[ts] ?? '')}`);
    const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
    const timeMs = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + frac;
    out.push({ timeMs, inputTokens: count(path, i + 1, 'ContextTokens', cells[ctx], 1), outputTokens: count(path, i + 1, 'GeneratedTokens', cells[gen], 0) });
  }
  return out;
}
