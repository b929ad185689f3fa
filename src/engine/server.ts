import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAiHttpError, badRequest } from './http-errors.js';
import { LlamaEngine } from './llama-engine.js';
import { servedModel } from './model-cache.js';
import { handleChat, handleCompletion, modelList, tokenizeRoute } from './openai-routes.js';

export interface EmbeddedServerOptions {
  /** A GGUF file to serve; default: the generated model of `preset`. */
  modelPath?: string;
  /** Generated model preset (tiny | small | medium) when no modelPath. Default 'tiny'. */
  preset?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Requests decoded together; more wait in a FIFO queue. Default 4. */
  parallel?: number;
  /** Tokens per sequence (prompt + completion); may exceed the model's trained length. Default min(model context, 2048). */
  contextSize?: number;
  /** llama.cpp threads. Default 1, the fastest for the small generated models. */
  threads?: number;
  /** Where generated models are cached (see ensureModel). */
  cacheDir?: string;
  logger?: (line: string) => void;
}

export interface EmbeddedServer {
  /** Base URL including /v1, e.g. http://127.0.0.1:43211/v1 */
  url: string;
  port: number;
  modelId: string;
  /** Tokens per sequence (prompt + completion). */
  contextSize: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new OpenAiHttpError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`request body is not valid JSON: ${(err as Error).message}`, null, 'invalid_json');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Starts a local OpenAI-compatible server on llama.cpp (CPU): /v1/models, /v1/completions,
 * /v1/chat/completions (streaming and not), /health and vLLM-named /metrics.
 *
 * @example
 * const server = await startEmbeddedServer({ preset: 'tiny', parallel: 4 });
 * await fetch(`${server.url}/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'hi', max_tokens: 8 }) });
 * await server.close();
 */
export async function startEmbeddedServer(opts: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const parallel = opts.parallel ?? 4;
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`parallel must be a positive integer, got ${parallel}`);
  const { modelPath, modelId } = await servedModel(opts);
  const engine = await LlamaEngine.load({
    modelPath,
    modelId,
    parallel,
    threads: opts.threads ?? 1,
    ...(opts.contextSize !== undefined ? { contextSize: opts.contextSize } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const created = Math.floor(Date.now() / 1000);

  const route = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    if (path === '/health' && method === 'GET') {
      res.writeHead(200).end();
    } else if (path === '/metrics' && method === 'GET') {
      const text = await engine.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': engine.metrics.registry.contentType }).end(text);
    } else if (path === '/v1/models' && method === 'GET') {
      sendJson(res, 200, modelList(engine, created));
    } else if (path === '/v1/completions' && method === 'POST') {
      await handleCompletion(engine, await readJson(req), res, signal);
    } else if (path === '/v1/chat/completions' && method === 'POST') {
      await handleChat(engine, await readJson(req), res, signal);
    } else if ((path === '/tokenize' || path === '/v1/tokenize') && method === 'POST') {
      sendJson(res, 200, tokenizeRoute(engine, await readJson(req)));
    } else if (['/health', '/metrics', '/v1/models', '/v1/completions', '/v1/chat/completions', '/tokenize'].includes(path ?? '')) {
      throw new OpenAiHttpError(405, `method ${method} not allowed on ${path}`);
    } else {
      throw new OpenAiHttpError(404, `no route ${method} ${path}`);
    }
  };

  const server = createServer((req, res) => {
    const abort = new AbortController();
    // 'close' before the response finished means the client went away: free its slot.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client disconnected'));
    });
    route(req, res, abort.signal).catch((err: unknown) => {
      if (err instanceof OpenAiHttpError) {
        sendJson(res, err.status, err.toBody());
        return;
      }
      opts.logger?.(`request ${req.method} ${req.url} failed: ${err instanceof Error ? err.stack : String(err)}`);
      const body = new OpenAiHttpError(500, err instanceof Error ? err.message : String(err)).toBody();
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, body);
    });
  });
  server.keepAliveTimeout = 5000;

  const host = opts.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await engine.close();
    throw new Error(`could not listen on ${host}:${opts.port ?? 0}`, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    modelId,
    contextSize: engine.contextSize,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await engine.close();
      })()),
  };
}
