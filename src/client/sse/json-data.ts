/** What the data of one OpenAI-style SSE event means. */
export type JsonData =
  | { kind: 'done' }
  | { kind: 'json'; value: unknown }
  | { kind: 'malformed'; message: string };

/**
 * Event data -> JSON. `[DONE]` is the OpenAI end-of-stream sentinel; anything else must be JSON.
 * @example
 * parseJsonData('[DONE]');   // { kind: 'done' }
 * parseJsonData('{"a":1}');  // { kind: 'json', value: { a: 1 } }
 * parseJsonData('{"a":');    // { kind: 'malformed', message: 'invalid JSON in SSE data: ...' }
 */
export function parseJsonData(data: string): JsonData {
  if (data === '[DONE]' || (data.length < 16 && data.trim() === '[DONE]')) return { kind: 'done' };
  try {
    return { kind: 'json', value: JSON.parse(data) as unknown };
  } catch (err) {
    const head = data.length > 120 ? `${data.slice(0, 120)}...` : data;
    return { kind: 'malformed', message: `invalid JSON in SSE data (${(err as Error).message}): ${head}` };
  }
}
