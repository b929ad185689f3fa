import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeServerInfo } from '../src/client/server-info.js';

async function serve(routes: Record<string, unknown>): Promise<{ url: string; server: Server; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? ''}`);
    const body = routes[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server, seen };
}

test('reads owned_by from /v1/models and the version from the first route that has one', async () => {
  const s = await serve({
    '/v1/models': { data: [{ id: 'other', owned_by: 'x' }, { id: 'm', owned_by: 'vllm' }] },
    '/version': 'not json',
    '/info': { version: '3.3.4', model_id: 'm' },
  });
  try {
    const info = await probeServerInfo(s.url, 'm', { apiKey: 'sk-test' });
    assert.deepEqual(info, { owned_by: 'vllm', version: '3.3.4', version_source: '/info' });
    assert.ok(s.seen.every((l) => l.endsWith('Bearer sk-test')));
  } finally {
    s.server.close();
  }
});

test('a server that says nothing leaves every field null, without throwing', async () => {
  const s = await serve({});
  try {
    assert.deepEqual(await probeServerInfo(s.url, 'm'), { owned_by: null, version: null, version_source: null });
  } finally {
    s.server.close();
  }
  assert.deepEqual(await probeServerInfo('http://127.0.0.1:9/v1', 'm', { timeoutMs: 500 }), { owned_by: null, version: null, version_source: null });
});
