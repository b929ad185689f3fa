/**
 * Compact storage of a request record: the chunk list as a small binary blob, the rest as JSON.
 *
 * Chunk blob layout (all varints are unsigned LEB128; signed values are zigzag-encoded first):
 *   byte 0   format version (1)
 *   byte 1   flags: 1 = times as float64, 2 = tokens present, 4 = reasoning present
 *   varint   chunk count n
 *   times    default: first time in integer microseconds, then n-1 deltas (signed varints);
 *            with flag 1: n little-endian float64 milliseconds (times not exact at 1 us, or -0)
 *   tokens   with flag 2 only: n varints, 0 = null, k + 1 = k tokens
 *   reasoning with flag 4 only: ceil(n / 8) bytes, bit i % 8 of byte i / 8 set = chunk i is reasoning
 * Most records have no per-chunk tokens and no reasoning, so they carry about 2-3 bytes per chunk.
 */
import type { RequestRecord, TokenChunk } from '../measure/record.js';

const FORMAT_VERSION = 1;
const FLAG_FLOAT_TIMES = 1;
const FLAG_TOKENS = 2;
const FLAG_REASONING = 4;
const KNOWN_FLAGS = FLAG_FLOAT_TIMES | FLAG_TOKENS | FLAG_REASONING;
/** Beyond this, zigzag arithmetic on doubles stops being exact. */
const MAX_ZIGZAG_INPUT = 2 ** 51;
const MAX_VARINT_BYTES = 8; // ceil(53 / 7)

/** A chunk blob that does not decode: truncated, trailing bytes, unknown version or flags. */
export class ChunkBlobError extends Error {
  override name = 'ChunkBlobError';
}

/** Microseconds for `t` when `t` is exactly a whole number of microseconds (and not -0), else null. */
function exactMicros(t: number): number | null {
  if (Object.is(t, -0)) return null; // integers cannot carry the sign of zero
  const us = Math.round(t * 1000);
  return Object.is(us / 1000, t) && Math.abs(us) <= MAX_ZIGZAG_INPUT / 2 ? us : null;
}

function isTokenCount(tokens: unknown): tokens is number {
  return typeof tokens === 'number' && Number.isSafeInteger(tokens) && tokens >= 0 && tokens < MAX_ZIGZAG_INPUT;
}

/** True when the chunk is exactly { t, tokens, reasoning } with values the blob reproduces. */
function isPlainChunk(c: TokenChunk): boolean {
  if (typeof c !== 'object' || c === null || typeof c.t !== 'number' || typeof c.reasoning !== 'boolean') return false;
  if (c.tokens !== null && !isTokenCount(c.tokens)) return false;
  let keys = 0;
  for (const _ in c) keys++;
  return keys === 3;
}

function writeVarint(out: Uint8Array, pos: number, value: number): number {
  let v = value;
  if (v < 0x80000000) {
    // Bit operations are exact below 2^31 and much faster than division.
    while (v >= 0x80) {
      out[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[pos++] = v;
    return pos;
  }
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
  return pos;
}

const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/**
 * Encodes chunks into a blob, or returns null when some chunk has a shape the blob cannot reproduce
 * exactly (extra keys, non-boolean reasoning, tokens that are not a non-negative integer); the caller
 * then keeps those chunks as JSON.
 * @example const blob = encodeChunks(record.chunks); // Buffer, ~2-3 bytes per chunk
 */
export function encodeChunks(chunks: readonly TokenChunk[]): Buffer | null {
  const n = chunks.length;
  let floatTimes = false;
  let hasTokens = false;
  let hasReasoning = false;
  for (let i = 0; i < n; i++) {
    const c = chunks[i] as TokenChunk;
    if (!isPlainChunk(c)) return null;
    if (c.tokens !== null) hasTokens = true;
    if (c.reasoning) hasReasoning = true;
    if (!floatTimes && exactMicros(c.t) === null) floatTimes = true;
  }
  const flags = (floatTimes ? FLAG_FLOAT_TIMES : 0) | (hasTokens ? FLAG_TOKENS : 0) | (hasReasoning ? FLAG_REASONING : 0);
  const out = scratchOfSize(2 + MAX_VARINT_BYTES + n * (floatTimes ? 8 : MAX_VARINT_BYTES) + (hasTokens ? n * MAX_VARINT_BYTES : 0) + Math.ceil(n / 8));
  out[0] = FORMAT_VERSION;
  out[1] = flags;
  let pos = writeVarint(out, 2, n);
  if (floatTimes) {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let i = 0; i < n; i++, pos += 8) view.setFloat64(pos, (chunks[i] as TokenChunk).t, true);
  } else {
    let previous = 0;
    for (let i = 0; i < n; i++) {
      const us = Math.round((chunks[i] as TokenChunk).t * 1000);
      // Deltas of two values within +-2^50 stay within 2^51, where zigzag is exact.
      pos = writeVarint(out, pos, zigzag(us - previous));
      previous = us;
    }
  }
  if (hasTokens) {
    for (let i = 0; i < n; i++) {
      const tokens = (chunks[i] as TokenChunk).tokens;
      pos = writeVarint(out, pos, tokens === null ? 0 : tokens + 1);
    }
  }
  if (hasReasoning) {
    const bytes = Math.ceil(n / 8);
    out.fill(0, pos, pos + bytes);
    for (let i = 0; i < n; i++) if ((chunks[i] as TokenChunk).reasoning) out[pos + (i >> 3)]! |= 1 << (i & 7);
    pos += bytes;
  }
  // A copy of just the used bytes: small Buffers come from Node's shared pool, so this is cheap.
  return Buffer.from(out.subarray(0, pos));
}

/** Encoding works in one reused buffer, grown on demand, instead of a worst-case allocation per record. */
let scratch = new Uint8Array(16 * 1024);

function scratchOfSize(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  return scratch;
}

/** Reads varints from a blob, failing on truncation or on values past 2^53. */
class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) throw new ChunkBlobError(`chunk blob ends inside ${what}`);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new ChunkBlobError(`chunk blob has an over-long varint in ${what}`);
  }

  take(count: number, what: string): number {
    const start = this.pos;
    if (start + count > this.bytes.length) throw new ChunkBlobError(`chunk blob ends inside ${what}`);
    this.pos += count;
    return start;
  }
}

/**
 * Decodes a blob written by `encodeChunks` into fresh chunk objects.
 * @throws ChunkBlobError when the blob is malformed.
 */
export function decodeChunks(blob: Uint8Array): TokenChunk[] {
  if (blob.length < 2) throw new ChunkBlobError(`chunk blob is ${blob.length} bytes, too short for a header`);
  if (blob[0] !== FORMAT_VERSION) throw new ChunkBlobError(`chunk blob has unknown format version ${String(blob[0])}`);
  const flags = blob[1] as number;
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new ChunkBlobError(`chunk blob has unknown flags ${flags}`);
  const reader = new Reader(blob);
  reader.pos = 2;
  const n = reader.varint('the chunk count');
  // Every chunk takes at least one byte, so a count beyond the blob is corruption, not a huge allocation.
  if (n > blob.length) throw new ChunkBlobError(`chunk blob claims ${n} chunks in ${blob.length} bytes`);
  const chunks: TokenChunk[] = new Array<TokenChunk>(n);
  if ((flags & FLAG_FLOAT_TIMES) !== 0) {
    const start = reader.take(n * 8, 'the times');
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    for (let i = 0; i < n; i++) chunks[i] = { t: view.getFloat64(start + i * 8, true), tokens: null, reasoning: false };
  } else {
    let us = 0;
    for (let i = 0; i < n; i++) {
      us += unzigzag(reader.varint('the times'));
      chunks[i] = { t: us / 1000, tokens: null, reasoning: false };
    }
  }
  if ((flags & FLAG_TOKENS) !== 0) {
    for (let i = 0; i < n; i++) {
      const code = reader.varint('the token counts');
      if (code !== 0) (chunks[i] as TokenChunk).tokens = code - 1;
    }
  }
  if ((flags & FLAG_REASONING) !== 0) {
    const start = reader.take(Math.ceil(n / 8), 'the reasoning bits');
    for (let i = 0; i < n; i++) if (((blob[start + (i >> 3)] as number) & (1 << (i & 7))) !== 0) (chunks[i] as TokenChunk).reasoning = true;
  }
  if (reader.pos !== blob.length) throw new ChunkBlobError(`chunk blob has ${blob.length - reader.pos} trailing bytes`);
  return chunks;
}

/** A record as stored: JSON whose `chunks` is the chunk count when `chunks` holds the blob. */
export interface StoredRecord {
  json: string;
  chunks: Buffer | null;
}

/**
 * Splits a record for storage. `chunks` in the JSON becomes the chunk count (so key order and SQL
 * `json_extract(record_json, '$.chunks')` still work) unless the chunks cannot be encoded, in which
 * case they stay in the JSON and the blob is null.
 * @example const { json, chunks } = encodeRecord(record);
 */
export function encodeRecord(record: RequestRecord): StoredRecord {
  const blob = Array.isArray(record.chunks) ? encodeChunks(record.chunks) : null;
  if (blob === null) return { json: JSON.stringify(record), chunks: null };
  return {
    json: JSON.stringify({ ...record, chunks: record.chunks.length }),
    chunks: blob,
  };
}

/**
 * Rebuilds a record from its stored parts; inverse of `encodeRecord`.
 * @throws SyntaxError on bad JSON, ChunkBlobError on a bad blob or a count that does not match.
 */
export function decodeRecord(json: string, chunks: Uint8Array | null): RequestRecord {
  const record = JSON.parse(json) as RequestRecord;
  if (chunks === null) {
    if (!Array.isArray(record.chunks)) throw new ChunkBlobError(`record says ${JSON.stringify(record.chunks)} chunks but has no chunk blob`);
    return record;
  }
  const decoded = decodeChunks(chunks);
  if ((record.chunks as unknown) !== decoded.length) {
    throw new ChunkBlobError(`chunk blob holds ${decoded.length} chunks but the record says ${JSON.stringify(record.chunks)}`);
  }
  record.chunks = decoded;
  return record;
}
