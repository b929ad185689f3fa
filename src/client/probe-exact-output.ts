import { Agent, request } from 'undici';
import { ClientError, cleanMessage, extractErrorMessage, networkErrorMessage } from './errors.js';
import { buildRequestBody, endpointPath, requestHeaders } from './request-body.js';
import type { ClientConfig } from './types.js';

/** Which optional fields the server accepts. */
export interface ExactOutputSupport {
  ignore_eos: boolean;
  min_tokens: boolean;
  include_usage: boolean;
}

type Field = keyof ExactOutputSupport;
const FIELDS: readonly Field[] = ['ignore_eos', 'min_tokens', 'include_usage'];

interface ProbeAnswer {
  status: number;
  message: string;
}

/**
 * Detects whether the server accepts `ignore_eos`, `min_tokens` and `stream_options.include_usage`, by sending
 * tiny streamed requests (max_tokens 1): first without any of them, then with each one alone. Once the plain
 * request has succeeded, a field whose request is refused (typically a 400 naming it) is unsupported; a 429 or
 * 503 is asked once more first. Servers that reject unknown fields are thus never sent them.
 * @throws ClientError when even the plain request fails (wrong URL, model, key, or server down).
 * @example const support = await probeExactOutputSupport(config); // { ignore_eos: true, min_tokens: true, include_usage: true }
 */
export async function probeExactOutputSupport(config: ClientConfig): Promise<ExactOutputSupport> {
  const url = new URL(config.baseUrl);
  const dispatcher = new Agent({ connections: 1, connect: { timeout: config.timeouts.connect_ms || 10_000 } });
  const path = endpointPath(config);
  const headers = requestHeaders(config);
  const timeoutMs = Math.min(config.timeouts.total_ms > 0 ? config.timeouts.total_ms : 60_000, 60_000);

  const send = async (field: Field | null): Promise<ProbeAnswer> => {
    const body = buildRequestBody(
      {
        ...config,
        includeUsage: field === 'include_usage',
        exactOutputFields: { ignore_eos: field === 'ignore_eos', min_tokens: field === 'min_tokens' },
      },
      { prompt: 'Hi', max_tokens: 1, exact_output: field === 'ignore_eos' || field === 'min_tokens', input_tokens: 1 },
    );
    try {
      const res = await request(`${url.origin}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      return { status: res.statusCode, message: res.statusCode === 200 ? '' : extractErrorMessage(text) };
    } catch (err) {
      throw new ClientError(`probe request to ${url.origin}${path} failed: ${networkErrorMessage(err, config.apiKey)}`, { cause: err });
    }
  };

  try {
    const base = await send(null);
    if (base.status >= 300) {
      const detail = cleanMessage(base.message, config.apiKey);
      throw new ClientError(`probe request without optional fields got HTTP ${base.status}${detail ? `: ${detail}` : ''}`, {
        status: base.status,
      });
    }
    const result: ExactOutputSupport = { ignore_eos: false, min_tokens: false, include_usage: false };
    for (const field of FIELDS) {
      let answer = await send(field);
      // A busy server's 429/503 says nothing about the field: ask once more before concluding.
      if (answer.status === 429 || answer.status === 503) {
        await new Promise((r) => setTimeout(r, 500));
        answer = await send(field);
      }
      result[field] = answer.status >= 200 && answer.status < 300;
    }
    return result;
  } finally {
    await dispatcher.close();
  }
}

