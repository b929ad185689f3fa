import { z } from 'zod';
import { badRequest } from './http-errors.js';

/**
 * Request bodies of /v1/completions and /v1/chat/completions. Known fields are type-checked; unknown fields
 * (logprobs, user, ...) are accepted and ignored, as OpenAI-compatible servers do.
 */

const samplingFields = {
  model: z.string().nullish(),
  max_tokens: z.int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
  n: z.literal(1, { error: 'only n=1 is supported' }).nullish(),
  ignore_eos: z.boolean().nullish(),
  min_tokens: z.int().min(0).nullish(),
};

export const completionRequestSchema = z
  .object({
    ...samplingFields,
    prompt: z.union([z.string(), z.array(z.string()).length(1), z.array(z.int().min(0)).min(1)]),
  })
  .loose();

const contentPart = z.object({ type: z.literal('text'), text: z.string() }).loose();

export const chatRequestSchema = z
  .object({
    ...samplingFields,
    max_completion_tokens: z.int().min(1).nullish(),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
            content: z.union([z.string(), z.array(contentPart), z.null()]),
          })
          .loose(),
      )
      .min(1),
  })
  .loose();

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** Parses a body or throws a 400 naming the first bad field, e.g. `messages.0.role`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.map(String).join('.') || null;
  throw badRequest(`invalid value for '${param ?? 'body'}': ${issue.message}`, param);
}

/** Sampling parameters common to both routes, with OpenAI/vLLM defaults. */
export interface SamplingParams {
  maxTokens: number | undefined;
  temperature: number;
  topP: number;
  seed: number | undefined;
  stop: string[];
  ignoreEos: boolean;
  minTokens: number;
  stream: boolean;
  includeUsage: boolean;
}

export function samplingParams(body: CompletionRequest | ChatRequest, maxTokens: number | null | undefined): SamplingParams {
  const stop = body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    maxTokens: maxTokens ?? undefined,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    seed: body.seed ?? undefined,
    stop: stop.filter((s) => s.length > 0),
    ignoreEos: body.ignore_eos ?? false,
    minTokens: body.min_tokens ?? 0,
    stream: body.stream ?? false,
    includeUsage: body.stream_options?.include_usage ?? false,
  };
}

/** Text of a chat message's content (string or text parts). */
export function messageText(content: ChatRequest['messages'][number]['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => p.text).join('');
}
