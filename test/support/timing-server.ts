import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClientConfig } from '../../src/client/types.js';

/**
 * A fake OpenAI-compatible server with exactly scheduled token timing and injectable faults, for tests and
 * benchmarks. Token chunk k (0-based) is written at t0 + ttftMs + itl[0] + ... + itl[k-1], where t0 is when the
 * request body was read: every deadline is computed from t0, so timer lateness never accumulates.
 *
 * @example
 * const server = await startTimingServer({ behavior: { ttftMs: 80, itlMs: 20, outputTokens: 10 } });
 * // POST `${server.url}/chat/completions` ... then:
 * server.requests[0].writes; // performance.now() of each token chunk write
 * await server.close();
 */
export interface TimingBehavior {
  /** Delay before the first token chunk (headers and the role chunk go out at once). Default 0. */
  ttftMs?: number;
  /** Gap between token chunks: one number, or one per gap (the last value repeats). Default 0. */
  itlMs?: number | number[];
  /** Tokens to generate. Default: max_tokens from the body, else 16. */
  outputTokens?: number;
  /** Tokens per chunk (the last chunk may hold fewer). Default 1. */
  tokensPerChunk?: number;
  /** Chat: send a role-only first chunk with the headers. Default true. */
  roleChunk?: boolean;
  /** Final usage-only chunk. Default: when the body asks via stream_options.include_usage. */
  usage?: boolean;
  /** Cumulative usage on every token chunk (like vLLM's continuous_usage_stats). Default false. */
  chunkUsage?: boolean;
  /** The first N tokens are reasoning (delta.reasoning_content, or `reasoningField`). Default 0. */
  reasoningTokens?: number;
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** Text of each token. Default ' tok' (one o200k token). */
  tokenText?: string | ((i: number) => string);
  /** Write an SSE comment (`: ping`) before every chunk. Default false. */
  comments?: boolean;
  /** finish_reason on the last chunk; null sends none. Default 'length' if max_tokens was reached, else 'stop'. */
  finishReason?: string | null;
  /** Usage prompt_tokens. Default: prompt characters / 4, at least 1. */
  promptTokens?: number;
  /** SSE line ending. Default '\n'. */
  lineEnding?: '\n' | '\r\n' | '\r';
  /** Delay before the response headers (e.g. queueing). Default 0. */
  headersDelayMs?: number;
  /** Answer with this status and `errorBody` (default an OpenAI error object) instead of streaming. */
  httpStatus?: number;
  errorBody?: unknown;
  /** After k token chunks, send an SSE event carrying `error` and end the stream. */
  errorEventAfter?: number;
  /** After k token chunks, reset the TCP connection. */
  resetAfter?: number;
  /** After k token chunks, send nothing more (the connection stays open). */
  stallAfter?: number;
  /** After k token chunks, send a data line that is not JSON (then finish normally). */
  malformedAfter?: number;
  /** Omit the closing `data: [DONE]`. */
  noDone?: boolean;
  /** Answer 400 naming the field when the body has any of these (`include_usage` means stream_options). */
  rejectFields?: string[];
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (null for GET or a body that is not JSON). */
  body: Record<string, unknown> | null;
  /** performance.now() when the body was read (t0 of the schedule). */
  receivedAt: number;
  /** performance.now() when the headers were written, null if never. */
  headersAt: number | null;
  /** performance.now() of each token-chunk write. */
  writes: number[];
}

export type BehaviorSource = TimingBehavior | ((req: ReceivedRequest) => TimingBehavior);

export interface TimingServerOptions {
  behavior?: BehaviorSource;
  /** Models listed by /v1/models. Default ['test-model']. */
  models?: string[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Keep every request in `requests` (default true; the benchmark turns bodies off to save memory). */
  recordBodies?: boolean;
  /**
   * Generations served at once, like an engine's batch slots: more wait in a FIFO queue (headers go out when a
   * slot frees) and their TTFT counts from then. Default: unlimited.
   */
  slots?: number;
  /**
   * Close the connection right after each answer, without a `Connection: close` header (as llama.cpp's
   * llama-server does): a client that reuses the socket writes into a connection that is going away.
   */
  closeAfterAnswer?: boolean;
  /** Serve POST /tokenize (vLLM's shape: {prompt} -> {count, tokens}) with this token counter. */
  tokenize?: (text: string) => number;
}

export interface TimingServer {
  /** Base URL including /v1, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  setBehavior(b: BehaviorSource): void;
  /** Sockets currently open (to check that clients close what they abort). */
  openConnections(): number;
  /** Sockets accepted since start (to check keep-alive reuse). */
  totalConnections(): number;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startTimingServer(options: TimingServerOptions = {}): Promise<TimingServer> {
  let behavior: BehaviorSource = options.behavior ?? {};
  const models = options.models ?? ['test-model'];
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let seq = 0;
  let accepted = 0;

  const closing = new WeakSet<Socket>();
  const server = createServer((req, res) => {
    if (options.closeAfterAnswer) {
      // A request that arrives on a connection being closed is never read, as by a server that has moved on.
      if (closing.has(req.socket)) return;
      const socket = req.socket;
      res.once('finish', () => {
        closing.add(socket);
        // The close trails the answer by a moment, the window in which a client may reuse the socket.
        const t = setTimeout(() => socket.destroy(), 3);
        pendingTimers.add(t);
      });
    }
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const rec: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?')[0] as string,
        headers: req.headers,
        body: options.recordBodies === false ? null : body,
        receivedAt: performance.now(),
        headersAt: null,
        writes: [],
      };
      requests.push(rec);
      route(req, res, rec, body, raw);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    accepted++;
    s.on('close', () => sockets.delete(s));
  });

  function route(req: IncomingMessage, res: ServerResponse, rec: ReceivedRequest, body: Record<string, unknown> | null, raw: string): void {
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(res, 401, { error: { message: 'Invalid API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    if (options.tokenize && rec.method === 'POST' && rec.path === '/tokenize') {
      const text = typeof body?.prompt === 'string' ? body.prompt : null;
      if (text === null) return sendJson(res, 400, { error: { message: 'prompt is required' } });
      const count = options.tokenize(text);
      return sendJson(res, 200, { count, tokens: Array.from({ length: count }, (_, i) => i), max_model_len: 32768 });
    }
    if (rec.method === 'GET' && rec.path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'timing-server' })) });
    }
    const api = rec.path === '/v1/chat/completions' ? 'chat' : rec.path === '/v1/completions' ? 'completions' : null;
    if (rec.method !== 'POST' || api === null) return sendJson(res, 404, { error: { message: `no route ${rec.method} ${rec.path}` } });
    if (body === null) return sendJson(res, 400, { error: { message: `request body is not JSON: ${raw.slice(0, 80)}` } });
    const b = typeof behavior === 'function' ? behavior({ ...rec, body }) : behavior;
    if (b.httpStatus !== undefined && b.httpStatus !== 200) {
      return sendJson(res, b.httpStatus, b.errorBody ?? { error: { message: `simulated HTTP ${b.httpStatus}`, type: 'server_error' } });
    }
    for (const field of b.rejectFields ?? []) {
      const present = field === 'include_usage' ? hasIncludeUsage(body) : field in body;
      if (present) {
        return sendJson(res, 400, {
          error: { message: `Unrecognized request argument supplied: ${field}`, type: 'invalid_request_error', param: field },
        });
      }
    }
    const delay = b.headersDelayMs ?? 0;
    const go = (): void => withSlot(res, (startAt) => respond(res, rec, body, b, api, startAt));
    if (delay > 0) later(rec.receivedAt + delay, go);
    else go();
  }

  let busy = 0;
  const queue: Array<() => void> = [];
  /** Runs `start` now or when one of `options.slots` frees; the slot is held until the response closes. */
  function withSlot(res: ServerResponse, start: (startAt: number) => void): void {
    if (options.slots === undefined) return start(performance.now());
    const run = (): void => {
      // A client that gave up while queued holds no slot.
      if (res.destroyed || res.writableEnded) {
        queue.shift()?.();
        return;
      }
      busy++;
      res.once('close', () => {
        busy--;
        queue.shift()?.();
      });
      start(performance.now());
    };
    if (busy < options.slots) run();
    else queue.push(run);
  }

  function respond(
    res: ServerResponse,
    rec: ReceivedRequest,
    body: Record<string, unknown>,
    b: TimingBehavior,
    api: 'chat' | 'completions',
    startAt: number = rec.receivedAt,
  ): void {
    const id = `cmpl-${++seq}`;
    const model = typeof body.model === 'string' ? body.model : (models[0] as string);
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : null;
    const total = b.outputTokens ?? maxTokens ?? 16;
    const perChunk = Math.max(1, b.tokensPerChunk ?? 1);
    const nChunks = Math.ceil(total / perChunk);
    const promptText = JSON.stringify(body.messages ?? body.prompt ?? '');
    const promptTokens = b.promptTokens ?? Math.max(1, Math.round(promptText.length / 4));
    const finish = b.finishReason !== undefined ? b.finishReason : maxTokens !== null && total >= maxTokens ? 'length' : 'stop';
    const usage = b.usage ?? hasIncludeUsage(body);
    const eol = b.lineEnding ?? '\n';
    const text = (i: number): string => (typeof b.tokenText === 'function' ? b.tokenText(i) : (b.tokenText ?? ' tok'));
    const created = Math.floor(Date.now() / 1000);
    const object = api === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const event = (payload: unknown): string => `data: ${JSON.stringify(payload)}${eol}${eol}`;
    const choice = (delta: Record<string, unknown> | null, txt: string, fr: string | null): unknown =>
      api === 'chat' ? { index: 0, delta: delta ?? {}, logprobs: null, finish_reason: fr } : { index: 0, text: txt, logprobs: null, finish_reason: fr };
    const usageOf = (n: number): unknown => ({ prompt_tokens: promptTokens, completion_tokens: n, total_tokens: promptTokens + n });

    if (body.stream !== true) {
      // Non-streaming: the whole answer once generation would have finished.
      const doneAt = startAt + (b.ttftMs ?? 0) + gapsUntil(b.itlMs, nChunks - 1);
      later(doneAt, () => {
        let all = '';
        for (let i = 0; i < total; i++) all += text(i);
        const c = api === 'chat' ? { index: 0, message: { role: 'assistant', content: all }, finish_reason: finish } : { index: 0, text: all, finish_reason: finish };
        sendJson(res, 200, { id, object: api === 'chat' ? 'chat.completion' : 'text_completion', created, model, choices: [c], usage: usageOf(total) });
      });
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    rec.headersAt = performance.now();
    let head = '';
    if (api === 'chat' && (b.roleChunk ?? true)) head += event({ id, object, created, model, choices: [choice({ role: 'assistant', content: '' }, '', null)] });
    if (head) res.write(head);
    else res.flushHeaders();

    const t0 = startAt + (b.ttftMs ?? 0);
    const memo = new Map<string, string>();
    let k = 0;
    let emitted = 0;
    const step = (): void => {
      if (res.destroyed) return;
      let out = '';
      const now = performance.now();
      while (k < nChunks && t0 + gapsUntil(b.itlMs, k) <= now + 0.25) {
        if (k === b.stallAfter) {
          if (out) write(out);
          return;
        }
        if (k === b.resetAfter) {
          if (out) write(out);
          const s = res.socket;
          if (s && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
          else s?.destroy();
          return;
        }
        if (k === b.errorEventAfter) {
          out += event({ error: { message: 'simulated generation failure', type: 'server_error', code: 500 } });
          res.end(out);
          return;
        }
        if (k === b.malformedAfter) out += `data: {"choices": [${eol}${eol}`;
        const n = Math.min(perChunk, total - emitted);
        let txt = '';
        let reasoning = '';
        for (let i = 0; i < n; i++) {
          if (emitted + i < (b.reasoningTokens ?? 0)) reasoning += text(emitted + i);
          else txt += text(emitted + i);
        }
        emitted += n;
        k++;
        const last = k === nChunks;
        // Identical middle chunks are serialized once: keeps the server cheap at high chunk rates.
        const memoKey = b.chunkUsage || last ? null : `${reasoning}\u0000${txt}`;
        let ev = memoKey === null ? undefined : memo.get(memoKey);
        if (ev === undefined) {
          const delta: Record<string, unknown> = {};
          if (reasoning) delta[b.reasoningField ?? 'reasoning_content'] = reasoning;
          if (txt || !reasoning) delta.content = txt;
          const chunk: Record<string, unknown> = { id, object, created, model, choices: [choice(delta, txt + reasoning, last ? finish : null)] };
          if (b.chunkUsage) chunk.usage = usageOf(emitted);
          ev = event(chunk);
          if (memoKey !== null) memo.set(memoKey, ev);
        }
        if (b.comments) out += `: ping${eol}${eol}`;
        out += ev;
        rec.writes.push(now);
        if (last) {
          if (usage) out += event({ id, object, created, model, choices: [], usage: usageOf(total) });
          if (!b.noDone) out += `data: [DONE]${eol}${eol}`;
          res.end(out);
          return;
        }
      }
      if (out) write(out);
      if (k < nChunks) later(t0 + gapsUntil(b.itlMs, k), step);
      else res.end();
    };
    const write = (s: string): void => {
      res.write(s);
    };
    if (nChunks === 0) {
      let out = '';
      if (usage) out += event({ id, object, created, model, choices: [], usage: usageOf(0) });
      if (finish !== null) out = event({ id, object, created, model, choices: [choice({}, '', finish)] }) + out;
      res.end(b.noDone ? out : `${out}data: [DONE]${eol}${eol}`);
      return;
    }
    later(t0, step);
  }

  /** Runs fn at performance.now() >= at (immediately if already due). */
  function later(at: number, fn: () => void): void {
    const wait = at - performance.now();
    if (wait <= 0.25) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      pendingTimers.delete(t);
      fn();
    }, Math.max(1, Math.round(wait)));
    pendingTimers.add(t);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    setBehavior(b) {
      behavior = b;
    },
    openConnections: () => sockets.size,
    totalConnections: () => accepted,
    async close() {
      for (const t of pendingTimers) clearTimeout(t);
      pendingTimers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sum of the first k inter-token gaps. */
export function gapsUntil(itl: number | number[] | undefined, k: number): number {
  if (k <= 0 || itl === undefined) return 0;
  if (typeof itl === 'number') return itl * k;
  if (itl.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < k; i++) sum += itl[Math.min(i, itl.length - 1)] as number;
  return sum;
}

function hasIncludeUsage(body: Record<string, unknown>): boolean {
  const so = body.stream_options as Record<string, unknown> | undefined;
  return !!so && typeof so === 'object' && so.include_usage === true;
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const s = typeof payload === 'string' ? payload : JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

/**
 * A ClientConfig pointed at a timing server (chat API, usage on, generous timeouts), with overrides.
 * @example const client = createOpenAIClient(clientConfigFor(server, { api: 'completions' }), createClock());
 */
export function clientConfigFor(server: { url: string }, overrides: Partial<ClientConfig> = {}): ClientConfig {
  return {
    baseUrl: server.url,
    api: 'chat',
    model: 'test-model',
    headers: {},
    timeouts: { connect_ms: 5_000, ttft_ms: 30_000, idle_ms: 30_000, total_ms: 60_000 },
    includeUsage: true,
    exactOutputFields: { ignore_eos: false, min_tokens: false },
    saveText: false,
    connections: 64,
    ...overrides,
  };
}
