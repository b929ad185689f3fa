import type { ErrorClass, RequestError } from '../measure/record.js';

/** Longest error message kept in a record. */
export const MAX_MESSAGE_CHARS = 500;

/** A failure of a client helper (listModels, probes), with the HTTP status when there was one. */
export class ClientError extends Error {
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ClientError';
    this.status = options.status;
  }
}

/** Removes the API key (and its Bearer form) from a message and bounds its length. */
export function cleanMessage(message: string, apiKey: string | undefined): string {
  let m = message;
  if (apiKey && apiKey.length > 0) m = m.split(apiKey).join('[redacted]');
  m = m.replace(/\s+/g, ' ').trim();
  return m.length > MAX_MESSAGE_CHARS ? `${m.slice(0, MAX_MESSAGE_CHARS - 3)}...` : m;
}

/** Error class for an HTTP status other than 200. */
export function classForStatus(status: number): ErrorClass {
  if (status === 429) return 'http_429';
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  // 1xx/3xx/other 2xx where a stream was expected: the server did not stream.
  return 'protocol_error';
}

/**
 * Pulls the human message out of an error body: OpenAI `{error:{message}}`, `{error:"..."}`,
 * `{message}`, FastAPI `{detail}`, or the raw text.
 */
export function extractErrorMessage(body: string): string {
  const text = body.trim();
  if (text.length === 0) return '';
  try {
    const v = JSON.parse(text) as unknown;
    const found = messageOf(v);
    if (found) return found;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text;
}

function messageOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if ('error' in o && o.error != null) {
    const inner = messageOf(o.error);
    if (inner) return inner;
  }
  for (const key of ['message', 'detail', 'msg']) {
    const val = o[key];
    if (typeof val === 'string') return val;
    if (val != null && typeof val === 'object') return JSON.stringify(val);
  }
  return null;
}

/** Builds the RequestError for a non-200 answer. */
export function httpError(status: number, body: string, apiKey: string | undefined): RequestError {
  const detail = extractErrorMessage(body);
  const message = cleanMessage(`HTTP ${status}${detail ? `: ${detail}` : ''}`, apiKey);
  return { class: classForStatus(status), message, status };
}

/** Marks an error raised by our own timers or abort signal, so it is classified by what caused it. */
export class ClientAbort extends Error {
  constructor(readonly errorClass: ErrorClass, message: string) {
    super(message);
    this.name = 'ClientAbort';
  }
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);

/** Classifies an error from the HTTP layer (undici / the socket). */
export function classifyNetworkError(err: unknown): ErrorClass {
  if (err instanceof ClientAbort) return err.errorClass;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout_connect';
  if (typeof code === 'string' && RESET_CODES.has(code)) return 'connection_reset';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout_ttft';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'timeout_idle';
  if (code === 'UND_ERR_ABORTED' || (err as Error | null)?.name === 'AbortError') return 'aborted';
  if (code === 'HPE_INVALID_CONSTANT' || (typeof code === 'string' && code.startsWith('HPE_'))) return 'protocol_error';
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause && cause !== err) {
    const inner = classifyNetworkError(cause);
    if (inner !== 'unknown') return inner;
  }
  return 'unknown';
}

/** Message for a network error: the error's own text plus its code, never the key. */
export function networkErrorMessage(err: unknown, apiKey: string | undefined): string {
  const e = err as { message?: unknown; code?: unknown; cause?: { message?: unknown; code?: unknown } };
  const parts: string[] = [];
  if (typeof e?.message === 'string' && e.message) parts.push(e.message);
  if (typeof e?.code === 'string' && !parts.some((p) => p.includes(e.code as string))) parts.push(`(${e.code})`);
  const cm = e?.cause?.message;
  if (typeof cm === 'string' && cm && !parts.some((p) => p.includes(cm))) parts.push(`cause: ${cm}`);
  return cleanMessage(parts.join(' ') || String(err), apiKey);
}
