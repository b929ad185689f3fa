import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRecord } from '../../test/support/record-builder.js';
import {
  e2eMs, e2ePerOutputTokenMs, itlMs, itlPerTokenMs, maxStallMs, outputTokens, requestMetrics, scheduleLagMs,
  streamCloseMs, timeToSecondTokenMs, tpotMs, ttfoMs, ttftMs,
} from './request-metrics.js';

// Sent at 1000, chunks at 1100, 1120, 1150, 1160; stream closed at 1175; 4 chunks, N = 10 tokens.
const base = makeRecord({ t_sched: 990, t_send: 1000, chunks: [1100, 1120, 1150, 1160], t_end: 1175, output_tokens: 10 });

test('TTFT, E2E, stream close and schedule lag from known times', () => {
  assert.equal(ttftMs(base), 100);
  assert.equal(e2eMs(base), 160);
  assert.equal(streamCloseMs(base), 175);
  assert.equal(scheduleLagMs(base), 10);
});

test('TPOT = (t_last - t_first) / (N - n1), n1 = 1 when the first chunk size is unknown', () => {
  assert.equal(tpotMs(base), 60 / 9);
});

test('TPOT uses the first chunk token count when known', () => {
  const r = makeRecord({ t_send: 0, chunks: [{ t: 100, tokens: 4 }, 130, 160], output_tokens: 10 });
  assert.equal(tpotMs(r), 60 / 6);
});

test('TPOT is n/a (null, not 0) when N - n1 < 1', () => {
  assert.equal(tpotMs(makeRecord({ chunks: [100], output_tokens: 1 })), null);
  assert.equal(tpotMs(makeRecord({ chunks: [{ t: 100, tokens: 5 }], output_tokens: 5 })), null);
  assert.equal(tpotMs(makeRecord({ chunks: [] })), null);
  // Two tokens in one chunk with unknown size: N - n1 = 1, but t_last = t_first, so TPOT is 0 by the formula.
  assert.equal(tpotMs(makeRecord({ chunks: [100], output_tokens: 2 })), 0);
});

test('N falls back to the chunk count when the record has no token count', () => {
  const r = makeRecord({ chunks: [100, 110, 130], output_tokens: null, output_tokens_source: null });
  assert.deepEqual(outputTokens(r), { count: 3, source: 'chunks' });
  assert.equal(tpotMs(r), 15);
});

test('ITL: one sample per gap between consecutive chunks', () => {
  assert.deepEqual(itlMs(base), [20, 30, 10]);
  assert.deepEqual(itlMs(makeRecord({ chunks: [100] })), []);
});

test('ITL per token divides each gap by the later chunk token count, only where known', () => {
  const r = makeRecord({ chunks: [{ t: 100, tokens: 1 }, { t: 140, tokens: 4 }, { t: 150 }, { t: 180, tokens: 3 }] });
  assert.deepEqual(itlPerTokenMs(r), [10, 10]);
});

test('TTFO skips reasoning chunks; null when only reasoning was streamed', () => {
  const r = makeRecord({ t_send: 0, chunks: [{ t: 50, reasoning: true }, { t: 80, reasoning: true }, { t: 200 }] });
  assert.equal(ttftMs(r), 50);
  assert.equal(ttfoMs(r), 200);
  assert.equal(ttfoMs(makeRecord({ chunks: [{ t: 50, reasoning: true }] })), null);
});

test('time to second token: second chunk, or the first chunk when it carries >= 2 tokens', () => {
  assert.equal(timeToSecondTokenMs(base), 120);
  assert.equal(timeToSecondTokenMs(makeRecord({ chunks: [{ t: 70, tokens: 3 }, 90] })), 70);
  assert.equal(timeToSecondTokenMs(makeRecord({ chunks: [70] })), null);
});

test('max stall is the longest gap', () => {
  assert.equal(maxStallMs(base), 30);
  assert.equal(maxStallMs(makeRecord({ chunks: [70] })), null);
});

test('E2E per output token (GuideLLM TPOT) = (t_last - t_send) / N', () => {
  assert.equal(e2ePerOutputTokenMs(base), 16);
  assert.equal(e2ePerOutputTokenMs(makeRecord({ chunks: [] })), null);
});

test('failed request without chunks has null latencies but a schedule lag', () => {
  const r = makeRecord({ ok: false, t_sched: 0, t_send: 5, chunks: [], t_end: 30 });
  const m = requestMetrics(r);
  assert.equal(m.ttft_ms, null);
  assert.equal(m.e2e_ms, null);
  assert.equal(m.tpot_ms, null);
  assert.equal(m.schedule_lag_ms, 5);
  assert.equal(m.stream_close_ms, 25);
});

test('requestMetrics gathers everything for one record', () => {
  const m = requestMetrics(base);
  assert.equal(m.ttft_ms, 100);
  assert.equal(m.e2e_ms, 160);
  assert.equal(m.output_tokens, 10);
  assert.equal(m.output_tokens_source, 'usage');
  assert.deepEqual(m.itl_ms, [20, 30, 10]);
});
