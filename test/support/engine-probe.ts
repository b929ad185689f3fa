import { Agent, fetch as undiciFetch } from 'undici';
import { performance } from 'node:perf_hooks';

/**
 * A minimal streaming client for the embedded server, used by its self-tests and bench/engine.ts.
 * Deliberately independent of src/client so the engine can be checked on its own.
 */

export interface ProbeResult {
  status: number;
  /** Parsed `data:` events before [DONE]. */
  events: Array<Record<string, unknown>>;
  /** Text of each content chunk, in order. */
  pieces: string[];
  /** performance.now() at send, and at each content chunk. */
  sentAt: number;
  pieceTimes: number[];
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  sawDone: boolean;
}

function contentOf(event: Record<string, unknown>): string | undefined {
  const choice = (event.choices as Array<Record<string, unknown>> | undefined)?.[0];
  if (!choice) return undefined;
  if (typeof choice.text === 'string') return choice.text;
  const delta = choice.delta as { content?: unknown } | undefined;
  return typeof delta?.content === 'string' ? delta.content : undefined;
}

const noKeepAlive = new Agent({ pipelining: 0 });

/**
 * POSTs a streaming request to `${baseUrl}${path}` and collects its SSE events with arrival times.
 * `onPiece` sees each content chunk as it arrives (e.g. to abort after the first).
 *
 * @example
 * const r = await streamProbe(url, '/completions', { prompt: 'hi', max_tokens: 8, stream: true });
 */
export async function streamProbe(
  baseUrl: string,
  path: string,
  body: Record<string, unknown>,
  opts: { signal?: AbortSignal; onPiece?: (text: string, index: number) => void; freshConnection?: boolean } = {},
): Promise<ProbeResult> {
  const sentAt = performance.now();
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  // A server that closes each connection after its answer (llama-server) must not be sent a reused socket.
  const res = (opts.freshConnection ? await undiciFetch(`${baseUrl}${path}`, { ...init, dispatcher: noKeepAlive }) : await fetch(`${baseUrl}${path}`, init)) as Response;
  const result: ProbeResult = {
    status: res.status,
    events: [],
    pieces: [],
    sentAt,
    pieceTimes: [],
    finishReason: null,
    usage: null,
    sawDone: false,
  };
  if (!res.body) return result;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of res.body) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data === '') continue;
      if (data === '[DONE]') {
        result.sawDone = true;
        continue;
      }
      const event = JSON.parse(data) as Record<string, unknown>;
      result.events.push(event);
      const choice = (event.choices as Array<Record<string, unknown>> | undefined)?.[0];
      if (choice && typeof choice.finish_reason === 'string') result.finishReason = choice.finish_reason;
      if (event.usage) result.usage = event.usage as ProbeResult['usage'];
      const text = contentOf(event);
      if (text !== undefined && text.length > 0 && choice?.finish_reason == null) {
        result.pieces.push(text);
        result.pieceTimes.push(performance.now());
        opts.onPiece?.(text, result.pieces.length - 1);
      }
    }
  }
  return result;
}

/** Sum of the samples named `name` (exactly) whose labels include every given label, from a text exposition. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    total = (total ?? 0) + value;
  }
  return total;
}
