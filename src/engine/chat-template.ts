export interface ChatMessage {
  role: string;
  content: string;
}

/**
 * Renders chat messages as one prompt: each message as `<|role|>\ncontent\n`, then `<|assistant|>\n`
 * to start the answer. The markers are plain text, so their token cost is real and counted.
 *
 * @example
 * applyChatTemplate([{ role: 'user', content: 'hi' }]) // '<|user|>\nhi\n<|assistant|>\n'
 */
export function applyChatTemplate(messages: readonly ChatMessage[]): string {
  let out = '';
  for (const m of messages) out += `<|${m.role}|>\n${m.content}\n`;
  return `${out}<|assistant|>\n`;
}
