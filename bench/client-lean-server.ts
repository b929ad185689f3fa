import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * A minimal OpenAI-compatible streaming server (chat API only) for bench/client.ts, built to cost the server as
 * little as possible so that the figures describe the client: raw TCP with a hand-rolled HTTP/1.1 reader,
 * pre-serialized chunked-encoding frames (no JSON.stringify per chunk), one socket write per due chunk, and one
 * coalesced timer driving every stream whose next chunk is due (instead of one timer per stream per chunk).
 * Like test/support/timing-server.ts, chunk k is due at t0 + ttftMs + k * itlMs with t0 the time the request
 * was read, so timer lateness never accumulates; each write is timestamped just before it is handed to the kernel.
 * @example
 * const server = await startLeanServer();
 * server.setBehavior({ ttftMs: 5, itlMs: 2, outputTokens: 32 });
 * // POST `${server.url}/chat/completions` ... then server.requests[0].writes
 */
export interface LeanBehavior {
  ttftMs?: number;
  itlMs?: number;
  outputTokens?: number;
}

export interface LeanRequest {
  /** First user message (or prompt): the key the bench matches client records with. */
  key: string;
  /** performance.now() when the socket read that completed the request was delivered to JS. */
  readAt: number;
  /** performance.now() when the request was parsed and its stream scheduled (t0). */
  receivedAt: number;
  /** performance.now() right before each token-chunk write. */
  writes: number[];
}

export interface LeanServer {
  url: string;
  requests: LeanRequest[];
  setBehavior(b: LeanBehavior): void;
  close(): Promise<void>;
}

interface Stream {
  socket: Socket;
  rec: LeanRequest;
  frames: Frames;
  next: number;
  total: number;
  t0: number;
  itl: number;
}

interface Frames {
  middle: Buffer;
  last: Buffer;
}

const HEAD =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: keep-alive\r\n' +
  'transfer-encoding: chunked\r\n\r\n';
const BASE = { id: 'cmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'test-model' };
const HEADER_END = Buffer.from('\r\n\r\n');

/** One SSE event as one HTTP chunk. */
function frame(payload: unknown): string {
  const ev = `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
  return `${Buffer.byteLength(ev).toString(16)}\r\n${ev}\r\n`;
}

const choice = (delta: Record<string, unknown>, finish: string | null): unknown => ({ index: 0, delta, logprobs: null, finish_reason: finish });
const HEAD_WITH_ROLE = Buffer.from(HEAD + frame({ ...BASE, choices: [choice({ role: 'assistant', content: '' }, null)] }));
const MIDDLE = Buffer.from(frame({ ...BASE, choices: [choice({ content: ' tok' }, null)] }));

/** Starts the server on 127.0.0.1, port 0. */
export async function startLeanServer(): Promise<LeanServer> {
  let behavior: LeanBehavior = {};
  const requests: LeanRequest[] = [];
  const sockets = new Set<Socket>();
  const frameCache = new Map<string, Frames>();
  let active: Stream[] = [];
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;

  function framesFor(total: number, finish: string, usage: boolean): Frames {
    const key = `${total}/${finish}/${usage}`;
    let f = frameCache.get(key);
    if (!f) {
      let last = frame({ ...BASE, choices: [choice({ content: ' tok' }, finish)] });
      if (usage) last += frame({ ...BASE, choices: [], usage: { prompt_tokens: 2, completion_tokens: total, total_tokens: 2 + total } });
      last += `${frame('[DONE]')}0\r\n\r\n`;
      f = { middle: MIDDLE, last: Buffer.from(last) };
      frameCache.set(key, f);
    }
    return f;
  }

  /** Writes every due chunk of every stream, then arms the one timer for the earliest next chunk. */
  const tick = (): void => {
    timer = null;
    timerAt = Infinity;
    let nextDue = Infinity;
    const keep: Stream[] = [];
    for (const s of active) {
      if (s.socket.destroyed) continue;
      const now = performance.now();
      let due = s.t0 + s.next * s.itl;
      if (due > now + 0.25) {
        keep.push(s);
        nextDue = Math.min(nextDue, due);
        continue;
      }
      // Several chunks due at once (zero itl, or a late tick) leave in one write, like a real server's batch.
      let n = 0;
      while (s.next < s.total && due <= now + 0.25) {
        s.next++;
        n++;
        due = s.t0 + s.next * s.itl;
      }
      const done = s.next === s.total;
      const t = performance.now();
      for (let i = 0; i < n; i++) s.rec.writes.push(t);
      if (n === 1) s.socket.write(done ? s.frames.last : s.frames.middle);
      else {
        const parts: Buffer[] = new Array(n - 1).fill(s.frames.middle);
        parts.push(done ? s.frames.last : s.frames.middle);
        s.socket.write(Buffer.concat(parts));
      }
      if (!done) {
        keep.push(s);
        nextDue = Math.min(nextDue, due);
      }
    }
    active = keep;
    arm(nextDue);
  };

  function arm(at: number): void {
    if (at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(tick, Math.max(1, Math.round(at - performance.now())));
  }

  function start(socket: Socket, rec: LeanRequest, body: Record<string, unknown>): void {
    const total = Math.max(1, behavior.outputTokens ?? (typeof body.max_tokens === 'number' ? body.max_tokens : 16));
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : null;
    const so = body.stream_options as { include_usage?: unknown } | undefined;
    const frames = framesFor(total, maxTokens !== null && total >= maxTokens ? 'length' : 'stop', so?.include_usage === true);
    socket.write(HEAD_WITH_ROLE);
    const s: Stream = { socket, rec, frames, next: 0, total, t0: rec.receivedAt + (behavior.ttftMs ?? 0), itl: behavior.itlMs ?? 0 };
    active.push(s);
    if (s.t0 <= performance.now() + 0.25) tick();
    else arm(s.t0);
  }

  function onRequest(socket: Socket, head: string, bodyBytes: Buffer, readAt: number): void {
    const line = head.slice(0, head.indexOf('\r\n'));
    let body: Record<string, unknown> | null = null;
    try {
      body = JSON.parse(bodyBytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      body = null;
    }
    if (!line.startsWith('POST /v1/chat/completions ') || body === null || body.stream !== true) {
      const msg = JSON.stringify({ error: { message: `lean server only streams chat completions: ${line}` } });
      socket.write(`HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
      return;
    }
    const messages = body.messages as Array<{ content?: unknown }> | undefined;
    const key = String(messages?.[0]?.content ?? body.prompt ?? '');
    const rec: LeanRequest = { key, readAt, receivedAt: performance.now(), writes: [] };
    requests.push(rec);
    start(socket, rec, body);
  }

  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    let pending: Buffer | null = null;
    socket.on('data', (data: Buffer) => {
      const readAt = performance.now();
      let buf = pending ? Buffer.concat([pending, data]) : data;
      pending = null;
      while (buf.length > 0) {
        const end = buf.indexOf(HEADER_END);
        if (end === -1) break;
        const head = buf.toString('latin1', 0, end);
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + len) break;
        onRequest(socket, head, buf.subarray(end + 4, end + 4 + len), readAt);
        buf = buf.subarray(end + 4 + len);
      }
      if (buf.length > 0) pending = Buffer.from(buf);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setBehavior(b) {
      behavior = b;
    },
    async close() {
      if (timer) clearTimeout(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
