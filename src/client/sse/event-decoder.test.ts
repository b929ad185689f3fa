import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventDecoder, type SseEvent } from './event-decoder.js';

function decode(lines: string[], flush = true): SseEvent[] {
  const d = new EventDecoder();
  const out: SseEvent[] = [];
  for (const l of lines) {
    const ev = d.push(l);
    if (ev) out.push(ev);
  }
  if (flush) {
    const ev = d.flush();
    if (ev) out.push(ev);
  }
  return out;
}

test('blank line dispatches data', () => {
  assert.deepEqual(decode(['data: {"a":1}', '']), [{ event: 'message', data: '{"a":1}', id: null }]);
});

test('multi-line data is joined with \\n', () => {
  assert.deepEqual(decode(['data: a', 'data:b', 'data:  c', ''])[0]?.data, 'a\nb\n c');
});

test('event and id fields', () => {
  const [ev] = decode(['event: error', 'id: 7', 'data: x', '']);
  assert.deepEqual(ev, { event: 'error', data: 'x', id: '7' });
  // event type resets after dispatch, id persists
  const evs = decode(['event: error', 'id: 7', 'data: x', '', 'data: y', '']);
  assert.deepEqual(evs[1], { event: 'message', data: 'y', id: '7' });
});

test('comments are ignored', () => {
  assert.deepEqual(decode([': ping', ':', 'data: x', ': keep-alive', '']).map((e) => e.data), ['x']);
});

test('events without data are not dispatched', () => {
  assert.deepEqual(decode(['event: ping', '', 'retry: 100', '']), []);
});

test('field without colon, unknown fields', () => {
  assert.deepEqual(decode(['data', 'foo: bar', '']), [{ event: 'message', data: '', id: null }]);
});

test('flush dispatches a pending event without a closing blank line', () => {
  assert.deepEqual(decode(['data: [DONE]']).map((e) => e.data), ['[DONE]']);
  assert.deepEqual(decode(['data: [DONE]'], false), []);
});
