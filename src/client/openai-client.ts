import type { Clock } from '../measure/clock.js';
import { ConnectionPool } from './connection-pool.js';
import type { RequestRecord } from '../measure/record.js';
import type { RequestSpec } from '../workload/spec.js';
import { ReadStamp } from './read-stamp.js';
import { buildRequestBody, endpointPath, requestHeaders } from './request-body.js';
import { StreamRequest, type StreamRequestEnv } from './stream-request.js';
import { onBodyWritten } from './write-stamps.js';
import type { ClientConfig, InferenceClient, SendContext } from './types.js';

/**
 * Creates a streaming client for an OpenAI-compatible server (chat or completions API) over a ConnectionPool:
 * keep-alive sockets, `config.connections` of them, no pipelining (a stream would block the next request).
 * @example
 * const client = createOpenAIClient(config, createClock());
 * const record = await client.send(spec, { index: 0, warmup: false, t_sched: 0 });
 * await client.close();
 */
export function createOpenAIClient(config: ClientConfig, clock: Clock): InferenceClient {
  const url = new URL(config.baseUrl);
  const pool = new ConnectionPool(
    url.origin,
    {
      pipelining: 1,
      connect: { timeout: config.timeouts.connect_ms > 0 ? config.timeouts.connect_ms : undefined },
      // Our own timers own ttft / idle / total; undici's would misclassify them.
      headersTimeout: 0,
      bodyTimeout: 0,
    },
    Math.max(1, config.connections),
  );
  if (config.reuseConnections === false) pool.connectionsDoNotPersist();
  const path = endpointPath(config);
  const headers = requestHeaders(config);
  const env: StreamRequestEnv = {
    clock,
    stamp: new ReadStamp(clock),
    timeouts: config.timeouts,
    apiKey: config.apiKey,
    saveText: config.saveText,
  };
  let closed = false;
  // Usage may be missing even when asked for; have the fallback tokenizer ready before the run starts.

  async function send(spec: RequestSpec, ctx: SendContext): Promise<RequestRecord> {
    const body = Buffer.from(JSON.stringify(buildRequestBody(config, spec)));
    const attempt = async (): Promise<{ record: RequestRecord; retryable: boolean }> => {
      const req = new StreamRequest(env, spec, ctx);
      if (closed) {
        req.fail('aborted', 'client is closed', false);
      } else if (ctx.signal?.aborted) {
        req.fail('aborted', 'request aborted by the caller before it was sent', false);
      } else {
        onBodyWritten(body, req.markWritten);
        pool.dispatch({ method: 'POST', path, headers, body, headersTimeout: 0, bodyTimeout: 0 }, req, req.done, (reused) => {
          req.reusedConnection = reused;
        });
      }
      const record = await req.done;
      return { record, retryable: req.peerClosedBeforeAnswer };
    };
    const first = await attempt();
    if (!first.retryable) return first.record;
    // The server closed a reused connection without reading the request (no byte of an answer came back), as
    // servers that close after every answer do: it never reached the model. Stop reusing connections and send
    // it once more on a new one; its timings are the second attempt's.
    pool.connectionsDoNotPersist();
    const second = await attempt();
    second.record.retries = 1;
    return second.record;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await pool.close();
  }

  return { send, close };
}
