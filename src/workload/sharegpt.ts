/**
 * ShareGPT datasets: a JSON array of `{"id"?, "conversations": [{"from": "human"|"gpt", "value"}]}`
 * (also `role`/`content` turns, `user`/`assistant` roles, or a `messages` key). The first human
 * turn is the prompt and the answer right after it sets max_tokens (its token length), as vLLM's
 * `bench serve` does. Conversations without that pair are skipped and counted.
 */
import { createReadStream } from 'node:fs';
import { DatasetError, EntryError } from './dataset-error.js';
import { MAX_LISTED_PROBLEMS } from './dataset-entry.js';
import type { DatasetEntries, DatasetEntry } from './dataset-entry.js';
import { jsonArrayItems, JsonArrayError } from './json-array-items.js';

const HUMAN = new Set(['human', 'user']);
const ANSWER = new Set(['gpt', 'assistant', 'chatgpt', 'bard', 'bing', 'model']);

/**
 * Read a ShareGPT JSON array, streamed element by element (files of hundreds of MB are common).
 * @throws DatasetError `file:line: reason` for a malformed record unless `skipBadLines`.
 */
export async function readShareGpt(file: string, options: { skipBadLines: boolean }): Promise<DatasetEntries> {
  const entries: DatasetEntry[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  let incomplete = 0;
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    for await (const item of jsonArrayItems(stream)) {
      try {
        let value: unknown;
        try {
          value = JSON.parse(item.text);
        } catch (err) {
          throw new EntryError(`invalid JSON: ${(err as Error).message}`, { cause: err });
        }
        const entry = parseShareGptRecord(value);
        if (entry) entries.push(entry);
        else incomplete++;
      } catch (err) {
        if (!(err instanceof EntryError)) throw err;
        if (!options.skipBadLines) throw new DatasetError(file, item.line, err.message, { cause: err.cause ?? err });
        skipped++;
        if (skipped <= MAX_LISTED_PROBLEMS) warnings.push(`${file}:${item.line}: ${err.message} (skipped)`);
      }
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    if (err instanceof JsonArrayError) throw new DatasetError(file, err.line, err.message, { cause: err });
    throw new DatasetError(file, null, `cannot read: ${(err as Error).message}`, { cause: err });
  } finally {
    stream.destroy();
  }
  if (skipped > MAX_LISTED_PROBLEMS) warnings.push(`${file}: ${skipped - MAX_LISTED_PROBLEMS} more bad records skipped`);
  if (incomplete > 0) {
    warnings.push(`${file}: ${incomplete} conversations without a human turn followed by an answer were skipped`);
  }
  return { entries, skipped: skipped + incomplete, warnings };
}

/**
 * One ShareGPT record -> entry; null when it has no non-empty human turn followed by a non-empty answer.
 * @throws EntryError when the record is not shaped like a conversation at all.
 */
export function parseShareGptRecord(value: unknown): DatasetEntry | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryError('expected a JSON object');
  const record = value as Record<string, unknown>;
  const turns = record.conversations ?? record.conversation ?? record.messages;
  if (!Array.isArray(turns)) throw new EntryError('missing "conversations" array');
  const parsed = turns.map((turn: unknown, i) => {
    if (typeof turn !== 'object' || turn === null) throw new EntryError(`"conversations[${i}]" must be an object`);
    const t = turn as Record<string, unknown>;
    const speaker = t.from ?? t.role;
    const text = t.value ?? t.content;
    if (typeof speaker !== 'string') throw new EntryError(`"conversations[${i}]" has no "from" or "role"`);
    if (typeof text !== 'string') throw new EntryError(`"conversations[${i}]" has no string "value" or "content"`);
    return { speaker: speaker.toLowerCase(), text };
  });
  const humanAt = parsed.findIndex((t) => HUMAN.has(t.speaker));
  const human = parsed[humanAt];
  const answer = parsed[humanAt + 1];
  if (humanAt < 0 || !human || !answer || !ANSWER.has(answer.speaker)) return null;
  if (human.text.trim() === '' || answer.text.trim() === '') return null;
  // The whole conversation: each user turn with the answer right after it, from the first pair on.
  const pairs: Array<{ user: string; answer: string }> = [];
  for (let i = humanAt; i + 1 < parsed.length; i++) {
    const u = parsed[i]!;
    const a = parsed[i + 1]!;
    if (!HUMAN.has(u.speaker) || !ANSWER.has(a.speaker)) continue;
    if (u.text.trim() === '' || a.text.trim() === '') break;
    pairs.push({ user: u.text, answer: a.text });
    i++;
  }
  return { prompt: human.text, maxTokens: null, answer: answer.text, turns: pairs };
}
