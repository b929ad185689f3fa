import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineDecoder } from './line-decoder.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function feed(parts: Array<string | Uint8Array>): string[] {
  const d = new LineDecoder();
  const out: string[] = [];
  for (const p of parts) out.push(...d.push(typeof p === 'string' ? enc(p) : p));
  out.push(...d.flush());
  return out;
}

test('splits on \\n, \\r\\n and lone \\r', () => {
  assert.deepEqual(feed(['a\nb\r\nc\rd\n']), ['a', 'b', 'c', 'd']);
});

test('keeps empty lines (event separators)', () => {
  assert.deepEqual(feed(['data: x\n\ndata: y\r\n\r\n']), ['data: x', '', 'data: y', '']);
});

test('joins a line split across reads', () => {
  assert.deepEqual(feed(['da', 'ta: hel', 'lo\n']), ['data: hello']);
});

test('\\r\\n split across reads is one line ending', () => {
  assert.deepEqual(feed(['a\r', '\nb\r', '\n']), ['a', 'b']);
  assert.deepEqual(feed(['a\r', '', '\nb\n']), ['a', 'b']);
});

test('lone \\r at end of a read followed by text is a line ending', () => {
  assert.deepEqual(feed(['a\r', 'b\n']), ['a', 'b']);
});

test('UTF-8 character split across reads is decoded whole', () => {
  const bytes = enc('data: héllo 你好 🎉\n');
  // Feed byte by byte: every multi-byte sequence is split.
  const parts = Array.from(bytes, (b) => Uint8Array.of(b));
  assert.deepEqual(feed(parts), ['data: héllo 你好 🎉']);
});

test('flush returns an unterminated last line', () => {
  assert.deepEqual(feed(['a\nb']), ['a', 'b']);
  assert.deepEqual(feed(['a\n']), ['a']);
});

test('every split point of a mixed stream gives the same lines', () => {
  const text = 'data: {"x":"é"}\r\n\r\n: ping\rdata: 2\n\ndata: [DONE]\n\n';
  const bytes = enc(text);
  const whole = feed([bytes]);
  for (let i = 0; i <= bytes.length; i++) {
    for (const j of [i, Math.min(bytes.length, i + 3)]) {
      assert.deepEqual(feed([bytes.slice(0, i), bytes.slice(i, j), bytes.slice(j)]), whole, `split at ${i},${j}`);
    }
  }
});
