import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Token } from 'node-llama-cpp';
import { badRequest } from './http-errors.js';
import type { LlamaEngine, GenerateResult } from './llama-engine.js';
import type { SamplingParams } from './openai-schema.js';

/** Shapes the two OpenAI response flavours (text completion, chat completion) around one generation. */
export interface ResponseFormat {
  idPrefix: string;
  /** Name of the prompt field, for error messages. */
  promptParam: string;
  chunkObject: string;
  /** Chunk sent before any token (chat: the role), or undefined. */
  startChoice?: () => Record<string, unknown>;
  tokenChoice(text: string): Record<string, unknown>;
  finishChoice(finishReason: string): Record<string, unknown>;
  /** The non-streaming response body (without usage). */
  fullResponse(result: GenerateResult): Record<string, unknown>;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function usageOf(r: GenerateResult): Usage {
  return { prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens };
}

/** Checks prompt + completion fit in one sequence and resolves the default max_tokens (the rest of the context). */
export function resolveMaxTokens(engine: LlamaEngine, promptTokens: number, params: SamplingParams, param: string): number {
  const ctx = engine.contextSize;
  if (promptTokens >= ctx) {
    throw badRequest(
      `This model's maximum context length is ${ctx} tokens. However, your prompt has ${promptTokens} tokens. Please reduce the length of the prompt.`,
      param,
      'context_length_exceeded',
    );
  }
  const maxTokens = params.maxTokens ?? ctx - promptTokens;
  if (promptTokens + maxTokens > ctx) {
    throw badRequest(
      `This model's maximum context length is ${ctx} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the prompt, ${maxTokens} in the completion). Please reduce the length of the prompt or completion.`,
      'max_tokens',
      'context_length_exceeded',
    );
  }
  if (params.minTokens > maxTokens) throw badRequest(`min_tokens (${params.minTokens}) must be <= max_tokens (${maxTokens})`, 'min_tokens');
  return maxTokens;
}

/**
 * Runs one request and writes the response: SSE chunks (one per token) when streaming, else one JSON body.
 * A client disconnect aborts `signal`, which makes the engine free the slot at the next token.
 */
export async function serveGeneration(
  engine: LlamaEngine,
  format: ResponseFormat,
  promptTokens: readonly Token[],
  params: SamplingParams,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const maxTokens = resolveMaxTokens(engine, promptTokens.length, params, format.promptParam);
  const id = `${format.idPrefix}-${randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: format.chunkObject, created, model: engine.modelId };
  const request = {
    promptTokens,
    maxTokens,
    temperature: params.temperature,
    topP: params.topP,
    ...(params.seed !== undefined ? { seed: params.seed } : {}),
    stop: params.stop,
    ignoreEos: params.ignoreEos,
    minTokens: params.minTokens,
    signal,
  };

  if (!params.stream) {
    const result = await engine.generate({ ...request, onToken: () => undefined });
    if (result.finishReason === 'abort' || res.destroyed) return;
    const body = { ...format.fullResponse(result), id, created, model: engine.modelId, usage: usageOf(result) };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  const usageField = params.includeUsage ? { usage: null } : {};
  const send = (choice: Record<string, unknown>): void => {
    if (!res.destroyed) res.write(`data: ${JSON.stringify({ ...base, choices: [choice], ...usageField })}\n\n`);
  };
  if (format.startChoice) send(format.startChoice());
  let result: GenerateResult;
  try {
    result = await engine.generate({
      ...request,
      onToken: (text) => {
        // An EOS or a token swallowed by a stop string has no text; it still counts in usage (as in vLLM).
        if (text.length > 0) send(format.tokenChoice(text));
      },
    });
  } catch (err) {
    if (!res.destroyed) {
      const message = err instanceof Error ? err.message : String(err);
      res.write(`data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`);
      res.end('data: [DONE]\n\n');
    }
    return;
  }
  if (result.finishReason === 'abort' || res.destroyed) return;
  send(format.finishChoice(result.finishReason));
  if (params.includeUsage) {
    res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: usageOf(result) })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}
