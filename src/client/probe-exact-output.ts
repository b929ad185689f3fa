import { Agent, request } from 'undici';
import { countTokens } from '../text/tokenizer.js';
import { ClientError, cleanMessage, extractErrorMessage, networkErrorMessage } from './errors.js';
import { buildRequestBody, endpointPath, requestHeaders } from './request-body.js';
import type { ClientConfig } from './types.js';

/** Which optional fields the server accepts. */
export interface ExactOutputSupport {
  ignore_eos: boolean;
  min_tokens: boolean;
  include_usage: boolean;
}

export interface ProbeOptions {
  /** Attempts per probe request on a transient failure (reset, 429, 5xx). Default 3. */
  attempts?: number;
  /** Wait before the second attempt; doubles after each. Default 200 ms. */
  backoffMs?: number;
  /** What the probe concluded beyond the plain answer: retries, fields dropped or assumed, and why. */
  onNote?: (message: string) => void;
}

type Field = keyof ExactOutputSupport;

/** Output tokens asked with min_tokens: a server that honours it must return this many. */
const MIN_TOKENS_PROBE = 2;

type Answer =
  | { kind: 'http'; status: number; message: string; outputTokens: number }
  | { kind: 'network'; message: string; timedOut: boolean; refused: boolean };

/**
 * Detects whether the server accepts `ignore_eos`, `min_tokens` and `stream_options.include_usage`, by sending
 * tiny streamed requests: first without any of them, then with each one alone. A field whose request is refused
 * with a 4xx is unsupported; `min_tokens` must also make the output as long as asked (servers that ignore unknown
 * fields accept it silently). Transient failures (connection reset, 429, 5xx) are retried with backoff; a field
 * whose probe still fails transiently is assumed accepted (as with `--no-probe`) and said so. Every request is
 * bounded by the TTFT and total timeouts; a refused connection or an unanswered request is not retried.
 * @throws ClientError when the plain request cannot be answered at all (wrong URL, model, key, server down).
 * @example const support = await probeExactOutputSupport(config); // { ignore_eos: true, min_tokens: true, include_usage: true }
 */
export async function probeExactOutputSupport(config: ClientConfig, opts: ProbeOptions = {}): Promise<ExactOutputSupport> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const backoffMs = opts.backoffMs ?? 200;
  const note = opts.onNote ?? (() => {});
  const url = new URL(config.baseUrl);
  const target = `${url.origin}${endpointPath(config)}`;
  const dispatcher = new Agent({ connections: 1, connect: { timeout: config.timeouts.connect_ms } });
  const headers = requestHeaders(config);
  const timeoutMs = Math.min(config.timeouts.ttft_ms + config.timeouts.connect_ms, config.timeouts.total_ms);

  const sendOnce = async (field: Field | null, usage: boolean): Promise<Answer> => {
    const maxTokens = field === 'min_tokens' ? MIN_TOKENS_PROBE : 1;
    const body = buildRequestBody(
      {
        ...config,
        includeUsage: field === 'include_usage' || usage,
        exactOutputFields: { ignore_eos: field === 'ignore_eos', min_tokens: field === 'min_tokens' },
      },
      { prompt: 'Hi', max_tokens: maxTokens, exact_output: field === 'ignore_eos' || field === 'min_tokens', input_tokens: 1 },
    );
    try {
      const res = await request(target, { method: 'POST', headers, body: JSON.stringify(body), dispatcher, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.body.text();
      const ok = res.statusCode === 200;
      return { kind: 'http', status: res.statusCode, message: ok ? '' : extractErrorMessage(text), outputTokens: ok ? outputTokensOf(text) : 0 };
    } catch (err) {
      const code = (err as { code?: string; cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
      const timedOut = (err as Error)?.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT';
      const message = timedOut ? `no answer within ${timeoutMs} ms` : networkErrorMessage(err, config.apiKey);
      return { kind: 'network', message, timedOut, refused: code === 'ECONNREFUSED' };
    }
  };

  const transient = (a: Answer): boolean =>
    a.kind === 'network' ? !a.timedOut && !a.refused : a.status === 429 || a.status >= 500;

  const send = async (field: Field | null, usage = false): Promise<Answer> => {
    let answer = await sendOnce(field, usage);
    for (let i = 1; i < attempts && transient(answer); i++) {
      await new Promise((r) => setTimeout(r, backoffMs * 2 ** (i - 1)));
      answer = await sendOnce(field, usage);
    }
    return answer;
  };

  const describe = (a: Answer): string =>
    a.kind === 'network' ? a.message : `HTTP ${a.status}${a.message ? `: ${cleanMessage(a.message, config.apiKey)}` : ''}`;

  try {
    const base = await send(null);
    if (base.kind === 'network') {
      const hint = base.refused ? ' (is the server running?)' : '';
      throw new ClientError(`probe request to ${target} failed: ${base.message}${hint}`);
    }
    if (base.status >= 300 && !transient(base)) {
      throw new ClientError(`probe request without optional fields got ${describe(base)}`, { status: base.status });
    }
    if (transient(base)) {
      note(`the probe of optional fields failed ${attempts} times (${describe(base)}): ignore_eos, min_tokens and include_usage are sent as if accepted`);
      return { ignore_eos: true, min_tokens: true, include_usage: true };
    }
    const result: ExactOutputSupport = { ignore_eos: false, min_tokens: false, include_usage: false };
    for (const field of ['include_usage', 'ignore_eos', 'min_tokens'] as const) {
      const answer = await send(field, field === 'min_tokens' && result.include_usage);
      if (answer.kind === 'http' && answer.status >= 200 && answer.status < 300) {
        result[field] = true;
        if (field === 'min_tokens' && answer.outputTokens < MIN_TOKENS_PROBE) {
          result[field] = false;
          note(`min_tokens is not used: the server accepted it but returned ${answer.outputTokens} of ${MIN_TOKENS_PROBE} tokens`);
        }
      } else if (transient(answer) || answer.kind === 'network') {
        result[field] = true;
        note(`the probe of ${field} kept failing (${describe(answer)}): ${field} is sent as if accepted`);
      } else {
        note(`${field} is not sent: the server refused it (${describe(answer)})`);
      }
    }
    return result;
  } finally {
    await dispatcher.close();
  }
}

/** Output tokens of a streamed answer: the usage count when given, else the client tokenizer on the text. */
function outputTokensOf(sse: string): number {
  let usage: number | null = null;
  let text = '';
  let chunks = 0;
  for (const line of sse.split(/\r?\n|\r/)) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') continue;
    try {
      const j = JSON.parse(data) as { usage?: { completion_tokens?: unknown }; choices?: Array<{ text?: unknown; delta?: { content?: unknown } }> };
      if (typeof j.usage?.completion_tokens === 'number') usage = j.usage.completion_tokens;
      const c = j.choices?.[0];
      const piece = typeof c?.delta?.content === 'string' ? c.delta.content : typeof c?.text === 'string' ? c.text : '';
      if (piece) {
        text += piece;
        chunks++;
      }
    } catch {
      // Not JSON: not a token chunk.
    }
  }
  return usage ?? Math.max(chunks, countTokens(text));
}
