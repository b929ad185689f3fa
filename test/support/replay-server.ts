import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';

/**
 * A transcript of one HTTP answer in an engine's wire format: comment lines (`# ...`, provenance), the status line,
 * headers, a blank line, then the body. A `text/event-stream` body is split into its events at blank lines and
 * each event is written `gapMs` after the previous one, as the engine would stream it.
 */
export interface Transcript {
  name: string;
  status: number;
  headers: [string, string][];
  /** SSE events (each with its `data: ` line), or one chunk for other bodies. */
  chunks: string[];
}

export function readTranscript(path: string): Transcript {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  let i = 0;
  while (lines[i]!.startsWith('#')) i++;
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[i++]!)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`${path}: no status line`);
  const headers: [string, string][] = [];
  for (; lines[i] !== ''; i++) {
    const m = /^([^:]+):\s*(.*)$/.exec(lines[i]!);
    if (!m) throw new Error(`${path}: bad header line ${i + 1}`);
    headers.push([m[1]!.toLowerCase(), m[2]!]);
  }
  const body = lines.slice(i + 1).join('\n');
  const sse = headers.some(([k, v]) => k === 'content-type' && v.startsWith('text/event-stream'));
  const chunks = sse ? body.split(/\n\n/).filter((e) => e.trim() !== '').map((e) => `${e}\n\n`) : [body.replace(/\n$/, '')];
  return { name: path.split('/').pop()!, status, headers, chunks };
}

export interface ReplayServer {
  /** Base URL including /v1. */
  url: string;
  /** Request bodies received on the generation routes, parsed. */
  bodies: unknown[];
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/**
 * Serves `transcript` for every POST to /v1/chat/completions or /v1/completions, and a one-model /v1/models.
 * A `connection: close` header in the transcript closes the socket after each answer, as such servers do.
 */
export async function startReplayServer(
  transcript: Transcript,
  opts: { gapMs?: number; model?: string; /** Close connections idle this long, with no hint to the client (uvicorn's timeout_keep_alive). */ idleTimeoutMs?: number } = {},
): Promise<ReplayServer> {
  const gapMs = opts.gapMs ?? 5;
  const bodies: unknown[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const closeAfter = transcript.headers.some(([k, v]) => k === 'connection' && v === 'close');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (d: string) => (raw += d));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: opts.model ?? 'replayed-model', object: 'model', owned_by: 'replay' }] }));
        return;
      }
      if (req.method !== 'POST' || !/^\/v1\/(chat\/)?completions$/.test(req.url ?? '')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      try {
        bodies.push(JSON.parse(raw));
      } catch {
        bodies.push(raw);
      }
      void replay(res);
    });
  });
  const replay = async (res: ServerResponse): Promise<void> => {
    res.writeHead(transcript.status, Object.fromEntries(transcript.headers.filter(([k]) => k !== 'content-length' && k !== 'transfer-encoding')));
    res.flushHeaders();
    for (const chunk of transcript.chunks) {
      await new Promise((r) => setTimeout(r, gapMs));
      if (res.destroyed) return;
      res.write(chunk);
    }
    res.end();
    if (closeAfter) res.once('finish', () => res.socket?.end());
  };
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  if (opts.idleTimeoutMs !== undefined) server.keepAliveTimeout = opts.idleTimeoutMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    bodies,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
