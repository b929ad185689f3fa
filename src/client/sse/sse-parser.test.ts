import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse-parser.js';
import { parseJsonData } from './json-data.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('parser yields events per read, across arbitrary splits', () => {
  const text = ': hi\n\ndata: {"choices":[{"delta":{"content":"é"}}]}\r\n\r\ndata: [DONE]\n\n';
  const bytes = enc(text);
  for (let i = 0; i <= bytes.length; i++) {
    const p = new SseParser();
    const evs = [...p.push(bytes.slice(0, i)), ...p.push(bytes.slice(i)), ...p.end()];
    assert.deepEqual(
      evs.map((e) => e.data),
      ['{"choices":[{"delta":{"content":"é"}}]}', '[DONE]'],
      `split at ${i}`,
    );
  }
});

test('parseJsonData: done, json, malformed', () => {
  assert.deepEqual(parseJsonData('[DONE]'), { kind: 'done' });
  assert.deepEqual(parseJsonData(' [DONE] '), { kind: 'done' });
  assert.deepEqual(parseJsonData('{"a":[1]}'), { kind: 'json', value: { a: [1] } });
  const bad = parseJsonData('{"a":');
  assert.equal(bad.kind, 'malformed');
  assert.match(bad.kind === 'malformed' ? bad.message : '', /invalid JSON/);
});
