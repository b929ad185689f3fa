import type { ServerResponse } from 'node:http';
import type { Token } from 'node-llama-cpp';
import { applyChatTemplate } from './chat-template.js';
import { serveGeneration } from './generation-route.js';
import type { ResponseFormat } from './generation-route.js';
import { OpenAiHttpError, badRequest } from './http-errors.js';
import type { LlamaEngine } from './llama-engine.js';
import { chatRequestSchema, completionRequestSchema, messageText, parseBody, samplingParams } from './openai-schema.js';

function checkModel(engine: LlamaEngine, model: string | null | undefined): void {
  // vLLM accepts a missing model and serves its only one; a wrong name is a 404 like OpenAI's.
  if (model != null && model !== engine.modelId) {
    throw new OpenAiHttpError(404, `The model \`${model}\` does not exist.`, 'invalid_request_error', 'model', 'model_not_found');
  }
}

const completionFormat: ResponseFormat = {
  idPrefix: 'cmpl',
  promptParam: 'prompt',
  chunkObject: 'text_completion',
  tokenChoice: (text) => ({ index: 0, text, logprobs: null, finish_reason: null }),
  finishChoice: (finishReason) => ({ index: 0, text: '', logprobs: null, finish_reason: finishReason }),
  fullResponse: (r) => ({
    object: 'text_completion',
    choices: [{ index: 0, text: r.text, logprobs: null, finish_reason: r.finishReason }],
  }),
};

const chatFormat: ResponseFormat = {
  idPrefix: 'chatcmpl',
  promptParam: 'messages',
  chunkObject: 'chat.completion.chunk',
  startChoice: () => ({ index: 0, delta: { role: 'assistant' }, logprobs: null, finish_reason: null }),
  tokenChoice: (text) => ({ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }),
  finishChoice: (finishReason) => ({ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }),
  fullResponse: (r) => ({
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: r.text }, logprobs: null, finish_reason: r.finishReason }],
  }),
};

/** POST /v1/completions */
export async function handleCompletion(engine: LlamaEngine, body: unknown, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const req = parseBody(completionRequestSchema, body);
  checkModel(engine, req.model);
  let promptTokens: Token[];
  if (typeof req.prompt === 'string') promptTokens = engine.tokenize(req.prompt);
  else if (typeof req.prompt[0] === 'string') promptTokens = engine.tokenize(req.prompt[0]);
  else {
    const ids = req.prompt as number[];
    const bad = ids.findIndex((t) => t >= engine.vocabSize);
    if (bad >= 0) throw badRequest(`prompt token id ${ids[bad]} at index ${bad} is outside the vocabulary (size ${engine.vocabSize})`, 'prompt');
    promptTokens = ids as Token[];
  }
  await serveGeneration(engine, completionFormat, promptTokens, samplingParams(req, req.max_tokens), res, signal);
}

/** POST /v1/chat/completions */
export async function handleChat(engine: LlamaEngine, body: unknown, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const req = parseBody(chatRequestSchema, body);
  checkModel(engine, req.model);
  const prompt = applyChatTemplate(req.messages.map((m) => ({ role: m.role, content: messageText(m.content) })));
  const params = samplingParams(req, req.max_completion_tokens ?? req.max_tokens);
  await serveGeneration(engine, chatFormat, engine.tokenize(prompt), params, res, signal);
}

/** GET /v1/models */
export function modelList(engine: LlamaEngine, created: number): Record<string, unknown> {
  return {
    object: 'list',
    data: [{ id: engine.modelId, object: 'model', created, owned_by: 'inferscope', root: engine.modelId, max_model_len: engine.contextSize }],
  };
}

/**
 * POST /tokenize, in llama.cpp's shape (`{content}` -> `{tokens}`) and vLLM's (`{prompt}` or `{messages}` ->
 * `{count, tokens, max_model_len}`), so clients can size prompts on this model's own tokenizer. The BOS token
 * the engine adds is counted, as servers count it in usage.
 */
export function tokenizeRoute(engine: LlamaEngine, body: unknown): Record<string, unknown> {
  const b = (body ?? {}) as { content?: unknown; prompt?: unknown; messages?: unknown; model?: unknown };
  if (typeof b.model === 'string') checkModel(engine, b.model);
  let text: string;
  if (typeof b.content === 'string') text = b.content;
  else if (typeof b.prompt === 'string') text = b.prompt;
  else if (Array.isArray(b.messages)) {
    const messages = b.messages as Array<{ role?: unknown; content?: unknown }>;
    text = applyChatTemplate(messages.map((m) => ({ role: String(m.role ?? 'user'), content: typeof m.content === 'string' ? m.content : '' })));
  } else throw badRequest('give "content" (llama.cpp), "prompt" or "messages" (vLLM) as the text to tokenize', 'content');
  const tokens = engine.tokenize(text);
  return { tokens, count: tokens.length, max_model_len: engine.contextSize };
}
