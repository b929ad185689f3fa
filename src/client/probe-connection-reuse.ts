import { Client } from 'undici';
import { buildRequestBody, endpointPath, requestHeaders } from './request-body.js';
import type { ClientConfig } from './types.js';

/** How long after a streamed answer a server that closes connections is given to do so. */
const CLOSE_WAIT_MS = 100;

/**
 * Whether the server keeps a connection open after a streamed answer. Some close it right after the last chunk
 * without a `Connection: close` header (llama.cpp's llama-server does); a client that reuses such a connection
 * writes its next request into a socket that is going away and must send it again. One tiny streamed request on a
 * connection of its own, then a short wait for the server to close it. Anything that goes wrong (a refusal, an
 * error, no answer within `timeoutMs`) answers true: the pool still notices a closed connection and stops reusing then.
 * @example if (!(await probeConnectionReuse(config))) config.reuseConnections = false;
 */
export async function probeConnectionReuse(config: ClientConfig, opts: { timeoutMs?: number; waitMs?: number } = {}): Promise<boolean> {
  const client = new Client(new URL(config.baseUrl).origin, { connect: { timeout: config.timeouts.connect_ms } });
  let closed = false;
  const disconnected = new Promise<void>((resolve) =>
    client.once('disconnect', () => {
      closed = true;
      resolve();
    }),
  );
  try {
    // The plainest request every server takes: no optional field, one token.
    const plain = { ...config, includeUsage: false, exactOutputFields: { ignore_eos: false, min_tokens: false } };
    const body = JSON.stringify(buildRequestBody(plain, { prompt: 'Hi', max_tokens: 1, exact_output: false, input_tokens: 1 }));
    const timeoutMs = opts.timeoutMs ?? Math.min(config.timeouts.connect_ms + config.timeouts.ttft_ms, config.timeouts.total_ms);
    const res = await client.request({ method: 'POST', path: endpointPath(config), headers: requestHeaders(config), body, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.text();
    if (res.statusCode !== 200) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([disconnected, new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.waitMs ?? CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    return !closed;
  } catch {
    return true;
  } finally {
    await client.destroy().catch(() => undefined);
  }
}
