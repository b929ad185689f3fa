import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { ClientError } from '../src/client/errors.js';
import { listModels } from '../src/client/list-models.js';
import { probeExactOutputSupport } from '../src/client/probe-exact-output.js';
import { clientConfigFor, gapsUntil, startTimingServer, type TimingServer } from './support/timing-server.js';

let server: TimingServer;
before(async () => {
  server = await startTimingServer({ models: ['m-1', 'm-2'], apiKey: 'sk-helper' });
});
after(() => server.close());

test('listModels returns the ids; wrong key -> ClientError with status, no key in the message', async () => {
  assert.deepEqual(await listModels(server.url, { apiKey: 'sk-helper' }), ['m-1', 'm-2']);
  await assert.rejects(listModels(server.url, { apiKey: 'sk-wrong-key' }), (err: unknown) => {
    assert.ok(err instanceof ClientError);
    assert.equal(err.status, 401);
    assert.match(err.message, /Invalid API key/);
    assert.ok(!err.message.includes('sk-wrong-key'));
    return true;
  });
});

test('listModels on a closed port -> ClientError with cause', async () => {
  const s = await startTimingServer();
  const url = s.url;
  await s.close();
  await assert.rejects(listModels(url, { timeoutMs: 2000 }), (err: unknown) => err instanceof ClientError && err.cause !== undefined);
});

test('probeExactOutputSupport: all accepted', async () => {
  server.setBehavior({});
  const support = await probeExactOutputSupport(clientConfigFor(server, { apiKey: 'sk-helper' }));
  assert.deepEqual(support, { ignore_eos: true, min_tokens: true, include_usage: true });
});

test('probeExactOutputSupport: rejected fields are detected, and the plain request carries none', async () => {
  server.setBehavior({ rejectFields: ['ignore_eos', 'include_usage'] });
  const before = server.requests.length;
  const support = await probeExactOutputSupport(clientConfigFor(server, { apiKey: 'sk-helper' }));
  assert.deepEqual(support, { ignore_eos: false, min_tokens: true, include_usage: false });
  const plain = server.requests[before]?.body ?? {};
  assert.equal(plain.max_tokens, 1);
  assert.ok(!('ignore_eos' in plain) && !('min_tokens' in plain) && !('stream_options' in plain));
});

test('probeExactOutputSupport: a failing plain request throws', async () => {
  server.setBehavior({ httpStatus: 404, errorBody: { error: { message: 'The model `x` does not exist.' } } });
  await assert.rejects(probeExactOutputSupport(clientConfigFor(server, { apiKey: 'sk-helper' })), /HTTP 404: The model `x` does not exist/);
});

test('timing server: non-streaming JSON, 404 route, behavior callback per request', async () => {
  server.setBehavior((req) => (req.body?.max_tokens === 3 ? { httpStatus: 500 } : { outputTokens: 2 }));
  const post = (body: unknown, path = '/chat/completions') =>
    request(`${server.url}${path}`, { method: 'POST', headers: { authorization: 'Bearer sk-helper', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await post({ model: 'm-1', messages: [{ role: 'user', content: 'x' }], max_tokens: 5 });
  const parsed = (await json.body.json()) as { choices: Array<{ message: { content: string } }>; usage: { completion_tokens: number } };
  assert.equal(parsed.choices[0]?.message.content, ' tok tok');
  assert.equal(parsed.usage.completion_tokens, 2);
  const failed = await post({ model: 'm-1', prompt: 'x', max_tokens: 3 }, '/completions');
  assert.equal(failed.statusCode, 500);
  await failed.body.text();
  const missing = await post({}, '/nothing');
  assert.equal(missing.statusCode, 404);
  await missing.body.text();
});

test('gapsUntil sums per-gap ITLs, repeating the last', () => {
  assert.equal(gapsUntil(10, 3), 30);
  assert.equal(gapsUntil([5, 10], 4), 5 + 10 + 10 + 10);
  assert.equal(gapsUntil(undefined, 4), 0);
});
