import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import { parseExposition } from './parse/parse-exposition.js';
import type { MetricFamily } from './parse/types.js';

/** Asks for Prometheus text 0.0.4: every server in scope renders it, and predictably (vLLM passes Accept on). */
export const METRICS_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

export interface FetchOptions {
  dispatcher: Dispatcher;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Responses larger than this fail instead of filling memory. */
  maxBytes?: number;
  /** Reads a monotonic time in ms (the run clock); performance.now by default. */
  now?: () => number;
}

export interface FetchResult {
  ok: boolean;
  start_ms: number;
  /** When the response headers arrived: the exposition was rendered between start and this. */
  headers_ms: number;
  end_ms: number;
  status?: number;
  content_type?: string;
  bytes?: number;
  parse_ms?: number;
  families?: MetricFamily[];
  error?: string;
  /** The start of a body that was not an exposition (an error page, JSON): enough to tell which server sent it. */
  body_excerpt?: string;
}

const EXCERPT_CHARS = 300;

/**
 * GETs and parses one exposition. Never throws: timeouts, HTTP errors, oversize bodies and parse errors
 * come back as `ok: false` with `error` set.
 */
export async function fetchExposition(url: string, options: FetchOptions): Promise<FetchResult> {
  const now = options.now ?? (() => performance.now());
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const start_ms = now();
  let headers_ms = start_ms;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const result = (fields: Partial<FetchResult>): FetchResult => ({ ok: false, start_ms, headers_ms, end_ms: now(), ...fields });
  try {
    const res = await request(url, {
      method: 'GET',
      dispatcher: options.dispatcher,
      signal: controller.signal,
      headers: { accept: METRICS_ACCEPT, ...options.headers },
    });
    headers_ms = now();
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      if (bytes > maxBytes) {
        controller.abort();
        return result({ status: res.statusCode, error: `response larger than ${maxBytes} bytes` });
      }
      chunks.push(chunk as Buffer);
    }
    const end_ms = now();
    const text = Buffer.concat(chunks).toString('utf8');
    if (res.statusCode !== 200) {
      return { ...result({ status: res.statusCode, bytes, error: `HTTP ${res.statusCode}`, body_excerpt: text.slice(0, EXCERPT_CHARS) }), end_ms };
    }
    const p0 = performance.now();
    try {
      const families = parseExposition(text, contentType ? { contentType } : {});
      const parse_ms = performance.now() - p0;
      return { ok: true, start_ms, headers_ms, end_ms, status: 200, content_type: contentType, bytes, parse_ms, families };
    } catch (err) {
      const parse_ms = performance.now() - p0;
      return {
        ...result({ status: 200, bytes, parse_ms, error: `unparseable exposition: ${(err as Error).message}`, body_excerpt: text.slice(0, EXCERPT_CHARS) }),
        end_ms,
      };
    }
  } catch (err) {
    const message = controller.signal.aborted ? `timeout after ${options.timeoutMs} ms` : describe(err);
    return result({ error: message });
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
