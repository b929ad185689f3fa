import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunFailedError } from '../../errors.js';
import { apiRoutes } from './api-routes.js';
import { BadRequest, type MonitorServerDeps, type Route } from './route-types.js';

export { BadRequest, type MonitorServerDeps, type Route } from './route-types.js';

export interface MonitorServer {
  url: string;
  close(): Promise<void>;
}

/** The monitor's own HTTP server: GET /metrics (Prometheus), /api/... (JSON), /healthz. */
export async function startMonitorServer(listen: { host: string; port: number }, deps: MonitorServerDeps): Promise<MonitorServer> {
  const routes: Record<string, Route> = {
    '/metrics': async (_url, res) => {
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
    '/healthz': () => ({ ok: true, location: deps.location }),
    ...apiRoutes(deps),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res, routes);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new RunFailedError(`cannot listen on ${listen.host}:${listen.port}: ${err.code ?? err.message}`, { cause: err })),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: Record<string, Route>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://monitor.invalid');
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'only GET' });
    const route = routes[url.pathname] ?? prefixRoute(routes, url.pathname);
    if (!route) return sendJson(res, 404, { error: `no such path: ${url.pathname}` });
    const value = await route(url, res);
    if (!res.headersSent && value !== undefined) sendJson(res, 200, value);
  } catch (err) {
    const status = (err as { status?: number }).status ?? 500;
    if (!res.headersSent) sendJson(res, status, { error: (err as Error).message });
    else res.destroy();
  }
}

/** Routes ending in "/" take the rest of the path (e.g. /api/probes/<id>). */
function prefixRoute(routes: Record<string, Route>, path: string): Route | undefined {
  const hit = Object.keys(routes).find((r) => r.endsWith('/') && path.startsWith(r) && path.length > r.length);
  return hit ? routes[hit] : undefined;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

