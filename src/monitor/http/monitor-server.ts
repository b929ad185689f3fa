import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunFailedError } from '../../errors.js';
import { apiRoutes } from './api-routes.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { BadRequest, type MonitorServerDeps, type Route } from './route-types.js';

export { BadRequest, type MonitorServerDeps, type Route } from './route-types.js';

export interface MonitorServer {
  url: string;
  close(): Promise<void>;
}

/** The monitor's own HTTP server: GET / (the dashboard), /metrics (Prometheus), /api/... (JSON), /healthz. */
export async function startMonitorServer(listen: { host: string; port: number }, deps: MonitorServerDeps): Promise<MonitorServer> {
  const routes: Record<string, Route> = {
    '/metrics': async (_url, res) => {
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
    '/healthz': () => ({ ok: true, location: deps.location }),
    ...apiRoutes(deps),
    ...dashboardRoutes(deps.location, dashboardRefreshMs(deps)),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res, routes, deps.authToken);
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

async function handle(req: IncomingMessage, res: ServerResponse, routes: Record<string, Route>, token: string | null): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://monitor.invalid');
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'only GET' });
    if (token !== null && (url.pathname === '/metrics' || url.pathname.startsWith('/api/')) && !authorized(req.headers.authorization, token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { error: 'this monitor needs Authorization: Bearer <token>' });
    }
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

/** Compares the bearer token in constant time. */
function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The dashboard redraws as often as the fastest probe runs, between 2 and 10 seconds. */
function dashboardRefreshMs(deps: MonitorServerDeps): number {
  const fastest = Math.min(...deps.config.probes.map((p) => p.everyMs));
  return Math.min(10_000, Math.max(2_000, fastest));
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

