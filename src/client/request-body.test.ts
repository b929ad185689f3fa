import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequestBody, endpointPath, requestHeaders } from './request-body.js';

const cfg = { api: 'completions' as const, model: 'm', includeUsage: false, exactOutputFields: { ignore_eos: true, min_tokens: false } };

test('endpoint path keeps the base path', () => {
  assert.equal(endpointPath({ baseUrl: 'http://h:1/v1/', api: 'chat' }), '/v1/chat/completions');
  assert.equal(endpointPath({ baseUrl: 'https://h/openai/v1', api: 'completions' }), '/openai/v1/completions');
});

test('completions body: prompt, exact output only when asked and accepted', () => {
  assert.deepEqual(buildRequestBody(cfg, { prompt: 'p', max_tokens: 5, exact_output: true, input_tokens: 1 }), {
    model: 'm', prompt: 'p', stream: true, max_tokens: 5, ignore_eos: true,
  });
  assert.deepEqual(buildRequestBody(cfg, { prompt: 'p', max_tokens: 5, exact_output: false, input_tokens: 1 }), {
    model: 'm', prompt: 'p', stream: true, max_tokens: 5,
  });
});

test('headers: bearer only with a key, user headers lower-cased and last', () => {
  assert.equal(requestHeaders({ headers: {} }).authorization, undefined);
  const h = requestHeaders({ apiKey: 'k', headers: { 'X-A': '1', Accept: 'application/json' } });
  assert.equal(h.authorization, 'Bearer k');
  assert.equal(h['x-a'], '1');
  assert.equal(h.accept, 'application/json');
});
