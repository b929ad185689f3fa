import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestRecord, TokenChunk } from '../measure/record.js';
import { createRng } from '../util/rng.js';
import { ChunkBlobError, decodeChunks, decodeRecord, encodeChunks, encodeRecord } from './record-codec.js';

const chunk = (t: number, tokens: number | null = null, reasoning = false): TokenChunk => ({ t, tokens, reasoning });

function roundTrip(chunks: TokenChunk[]): Uint8Array {
  const blob = encodeChunks(chunks);
  assert.ok(blob !== null, 'chunks are encodable');
  assert.deepEqual(decodeChunks(blob), chunks);
  return blob;
}

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    index: 7, warmup: false, t_sched: 100, t_send: 100.25, t_headers: 120.5, t_end: 300.125,
    chunks: [chunk(130.001), chunk(150.002), chunk(170.5)], ok: true, error: null, http_status: 200,
    finish_reason: 'length', input_tokens: 12, input_tokens_source: 'usage', output_tokens: 3,
    output_tokens_source: 'usage', requested_output_tokens: 3, output_chars: 11,
    ...overrides,
  };
}

test('zero chunks and one chunk round-trip', () => {
  assert.deepEqual([...roundTrip([])], [1, 0, 0]);
  roundTrip([chunk(0)]);
  roundTrip([chunk(12.345)]);
  roundTrip([chunk(12.345, 3, true)]);
});

test('microsecond times cost a few bytes per chunk and decode to the same doubles', () => {
  const rng = createRng(1);
  const chunks: TokenChunk[] = [];
  let t = 3_600_000.123; // an hour into the run
  for (let i = 0; i < 200; i++) {
    chunks.push(chunk(Math.round(t * 1000) / 1000));
    t += 10 + rng.next() * 30;
  }
  const blob = roundTrip(chunks);
  assert.ok(blob.length <= 3 * 200 + 10, `200 chunks ~20 ms apart take ${blob.length} bytes`);
});

test('huge gaps, negative and non-monotonic times round-trip', () => {
  roundTrip([chunk(0.001), chunk(86_400_000), chunk(86_400_000.001), chunk(1e12)]);
  roundTrip([chunk(-5.5), chunk(-1e9), chunk(3), chunk(2.999), chunk(3)]);
  roundTrip([chunk(2 ** 40 + 0.5), chunk(-(2 ** 40))]);
});

test('times that are not whole microseconds are kept exactly as float64', () => {
  const odd = [chunk(1.2345678), chunk(0.1 + 0.2), chunk(5), chunk(1e-9)];
  const blob = roundTrip(odd);
  assert.equal(blob[1]! & 1, 1, 'float64 time flag');
  for (const weird of [-0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, Number.MAX_VALUE]) {
    const back = decodeChunks(encodeChunks([chunk(1), chunk(weird)])!);
    assert.ok(Object.is(back[1]!.t, weird), `t=${weird} survives`);
  }
});

test('tokens and reasoning are stored only when present, null stays null', () => {
  const plain = roundTrip([chunk(1), chunk(2)]);
  assert.equal(plain[1], 0);
  const tokens = roundTrip([chunk(1, null), chunk(2, 0), chunk(3, 7), chunk(4, 2 ** 40)]);
  assert.equal(tokens[1], 2);
  const reasoning = Array.from({ length: 17 }, (_, i) => chunk(i, null, i % 3 === 0 || i === 16));
  assert.equal(roundTrip(reasoning)[1], 4);
  roundTrip(Array.from({ length: 9 }, (_, i) => chunk(i * 1.5, i % 2 === 0 ? i : null, i === 8)));
});

test('chunks the blob cannot reproduce exactly are refused, and the record keeps them as JSON', () => {
  const odd: unknown[][] = [
    [{ t: 1, tokens: -1, reasoning: false }],
    [{ t: 1, tokens: 1.5, reasoning: false }],
    [{ t: 1, tokens: '3', reasoning: false }],
    [{ t: 1, tokens: null, reasoning: 1 }],
    [{ t: '1', tokens: null, reasoning: false }],
    [{ t: 1, tokens: null, reasoning: false, extra: true }],
    [{ t: 1, tokens: null }],
    [null],
  ];
  for (const chunks of odd) {
    assert.equal(encodeChunks(chunks as TokenChunk[]), null, JSON.stringify(chunks));
    const r = record({ chunks: chunks as TokenChunk[] });
    const stored = encodeRecord(r);
    assert.equal(stored.chunks, null);
    assert.deepEqual(decodeRecord(stored.json, stored.chunks), JSON.parse(JSON.stringify(r)));
  }
});

test('records round-trip with optional fields, errors and key order intact', () => {
  const full = record({
    ok: false, error: { class: 'http_5xx', message: 'boom', status: 503 }, http_status: 503,
    output_tokens_alt: { tokenizer: 97, chunks: 3 }, output_text: 'héllo\n"quoted" \u0000',
    chunks: [chunk(130.001, 2, true), chunk(150.002, null, false)],
  });
  for (const r of [record(), full, record({ chunks: [], t_headers: null }), record({ warmup: true })]) {
    const stored = encodeRecord(r);
    assert.ok(stored.chunks instanceof Buffer);
    assert.equal(JSON.parse(stored.json).chunks, r.chunks.length, 'the JSON holds the chunk count');
    const back = decodeRecord(stored.json, stored.chunks);
    assert.deepEqual(back, r);
    assert.deepEqual(Object.keys(back), Object.keys(r));
  }
});

test('random records round-trip exactly', () => {
  const rng = createRng(7);
  for (let i = 0; i < 300; i++) {
    const n = rng.int(0, 40);
    let t = rng.next() * 1e7 - 1e3;
    const chunks: TokenChunk[] = [];
    for (let k = 0; k < n; k++) {
      t += rng.next() < 0.05 ? -rng.next() * 10 : rng.exponential(0.05);
      const exact = rng.next() < 0.9;
      chunks.push(chunk(exact ? Math.round(t * 1000) / 1000 : t, rng.next() < 0.2 ? rng.int(0, 5) : null, rng.next() < 0.1));
    }
    const r = record({ index: i, chunks });
    const stored = encodeRecord(r);
    assert.deepEqual(decodeRecord(stored.json, stored.chunks), r);
  }
});

test('malformed blobs are rejected with ChunkBlobError', () => {
  const good = encodeChunks([chunk(1), chunk(2.5, 3, true), chunk(4)])!;
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array([])],
    ['version', Uint8Array.from([2, 0, 0])],
    ['flags', Uint8Array.from([1, 8, 0])],
    ['truncated', good.subarray(0, good.length - 1)],
    ['trailing', Uint8Array.from([...good, 0])],
    ['count', Uint8Array.from([1, 0, 0xff, 0xff, 0x7f])],
    ['varint', Uint8Array.from([1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['float', Uint8Array.from([1, 1, 1, 0, 0, 0])],
  ];
  for (const [what, blob] of bad) assert.throws(() => decodeChunks(blob), ChunkBlobError, what);
});

test('decodeRecord checks the chunk count against the blob', () => {
  const stored = encodeRecord(record());
  assert.throws(() => decodeRecord(stored.json.replace('"chunks":3', '"chunks":4'), stored.chunks), /holds 3 chunks but the record says 4/);
  assert.throws(() => decodeRecord(stored.json, null), /no chunk blob/);
  assert.throws(() => decodeRecord('{', stored.chunks), SyntaxError);
});
