import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyNetworkError, cleanMessage, extractErrorMessage, httpError } from './errors.js';

test('extractErrorMessage handles OpenAI, string, FastAPI and raw bodies', () => {
  assert.equal(extractErrorMessage('{"error":{"message":"bad","type":"x"}}'), 'bad');
  assert.equal(extractErrorMessage('{"error":"nope"}'), 'nope');
  assert.equal(extractErrorMessage('{"detail":"Not Found"}'), 'Not Found');
  assert.equal(extractErrorMessage('{"detail":[{"loc":["body"],"msg":"x"}]}'), '[{"loc":["body"],"msg":"x"}]');
  assert.equal(extractErrorMessage('Bad Gateway'), 'Bad Gateway');
});

test('httpError classes by status', () => {
  assert.equal(httpError(400, '', undefined).class, 'http_4xx');
  assert.equal(httpError(429, '', undefined).class, 'http_429');
  assert.equal(httpError(502, '', undefined).class, 'http_5xx');
  assert.equal(httpError(404, '{"error":{"message":"no model"}}', undefined).message, 'HTTP 404: no model');
});

test('cleanMessage redacts the key and truncates', () => {
  const m = cleanMessage(`key sk-abc and sk-abc ${'y'.repeat(900)}`, 'sk-abc');
  assert.ok(!m.includes('sk-abc'));
  assert.ok(m.length <= 500);
});

test('classifyNetworkError by code, through causes', () => {
  const e = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(classifyNetworkError(e('ECONNREFUSED')), 'connection_refused');
  assert.equal(classifyNetworkError(e('ECONNRESET')), 'connection_reset');
  assert.equal(classifyNetworkError(e('UND_ERR_SOCKET')), 'connection_reset');
  assert.equal(classifyNetworkError(e('UND_ERR_CONNECT_TIMEOUT')), 'timeout_connect');
  assert.equal(classifyNetworkError(new Error('x', { cause: e('ECONNREFUSED') })), 'connection_refused');
  assert.equal(classifyNetworkError(new Error('mystery')), 'unknown');
});
