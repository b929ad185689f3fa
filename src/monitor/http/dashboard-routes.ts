/**
 * The live dashboard at `/`: a page shell, uPlot and the page's script and stylesheet, all served by the monitor
 * itself (no CDN) under a strict Content-Security-Policy (scripts and styles from this origin only, no inline code);
 * the script reads the JSON API. The shell carries no data, so it needs no token; the API does (see monitor-server).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Route } from './route-types.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Routes of the dashboard; `refreshMs` is how often the page redraws. */
export function dashboardRoutes(location: string, refreshMs: number): Record<string, Route> {
  const require = createRequire(import.meta.url);
  const files = {
    '/dashboard/uplot.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
    '/dashboard/uplot.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
    '/dashboard/dashboard.js': { path: fileURLToPath(new URL('./dashboard/dashboard.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
    '/dashboard/dashboard.css': { path: fileURLToPath(new URL('./dashboard/dashboard.css', import.meta.url)), type: 'text/css; charset=utf-8' },
  };
  const cache = new Map<string, string>();
  const send = (res: ServerResponse, type: string, body: string): void => {
    res.writeHead(200, { 'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache', 'referrer-policy': 'no-referrer' });
    res.end(body);
  };
  const routes: Record<string, Route> = {
    '/': (_url, res) => {
      send(
        res,
        'text/html; charset=utf-8',
        '<!doctype html><html lang="en" data-refresh-ms="' + String(Math.max(1000, Math.round(refreshMs))) + '"><head><meta charset="utf-8">' +
          '<meta name="viewport" content="width=device-width, initial-scale=1"><title>inferscope monitor</title>' +
          '<link rel="stylesheet" href="/dashboard/uplot.css"><link rel="stylesheet" href="/dashboard/dashboard.css"></head>' +
          `<body><header><h1>inferscope monitor</h1><span class="muted">location ${escape(location)}</span><span id="updated" class="muted"></span></header>` +
          '<main id="root"></main><script src="/dashboard/uplot.js"></script><script src="/dashboard/dashboard.js"></script></body></html>',
      );
      return undefined;
    },
  };
  for (const [path, f] of Object.entries(files)) {
    routes[path] = (_url, res) => {
      if (!cache.has(path)) cache.set(path, readFileSync(f.path, 'utf8'));
      send(res, f.type, cache.get(path)!);
      return undefined;
    };
  }
  return routes;
}
