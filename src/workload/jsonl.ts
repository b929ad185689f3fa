/**
 * JSONL datasets: one request per line, `{"prompt": "..."}` or `{"messages": [{role, content}, ...]}`,
 * with optional `max_tokens` (alias `output_tokens`). A line holding a ShareGPT record
 * (`{"conversations": [...]}`) is accepted too. Blank lines are ignored.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DatasetError, EntryError } from './dataset-error.js';
import { MAX_LISTED_PROBLEMS } from './dataset-entry.js';
import type { DatasetEntries, DatasetEntry } from './dataset-entry.js';
import { parseShareGptRecord } from './sharegpt.js';

/**
 * Read a JSONL dataset line by line (streamed, so large files need not fit in one string).
 * @throws DatasetError `file:line: reason` for the first bad line unless `skipBadLines`.
 */
export async function readJsonl(file: string, options: { skipBadLines: boolean }): Promise<DatasetEntries> {
  const entries: DatasetEntry[] = [];
  const warnings: string[] = [];
  let skipped = 0;
  let incomplete = 0;
  let lineNo = 0;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      try {
        const entry = parseJsonlLine(line);
        if (entry) entries.push(entry);
        else incomplete++;
      } catch (err) {
        if (!(err instanceof EntryError)) throw err;
        if (!options.skipBadLines) throw new DatasetError(file, lineNo, err.message, { cause: err.cause ?? err });
        skipped++;
        if (skipped <= MAX_LISTED_PROBLEMS) warnings.push(`${file}:${lineNo}: ${err.message} (skipped)`);
      }
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(file, null, `cannot read: ${(err as Error).message}`, { cause: err });
  } finally {
    lines.close();
    stream.destroy();
  }
  if (skipped > MAX_LISTED_PROBLEMS) warnings.push(`${file}: ${skipped - MAX_LISTED_PROBLEMS} more bad lines skipped`);
  if (incomplete > 0) {
    warnings.push(`${file}: ${incomplete} conversations without a human turn followed by an answer were skipped`);
  }
  return { entries, skipped: skipped + incomplete, warnings };
}

/**
 * Parse one JSONL line. Returns null for a ShareGPT record with no usable human/answer pair.
 * @throws EntryError with the reason (no file or line; the caller adds them).
 */
export function parseJsonlLine(line: string): DatasetEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new EntryError(`invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(value)) throw new EntryError('expected a JSON object');
  const maxTokens = parseMaxTokens(value);
  const refs = parseReferences(value);
  const withRefs = refs ? { references: refs } : {};
  if (value.prompt !== undefined) {
    if (typeof value.prompt !== 'string' || value.prompt.length === 0) {
      throw new EntryError('"prompt" must be a non-empty string');
    }
    return { prompt: value.prompt, maxTokens, ...withRefs };
  }
  if (value.messages !== undefined) return { messages: parseMessages(value.messages), maxTokens, ...withRefs };
  if (value.conversations !== undefined) return parseShareGptRecord(value);
  throw new EntryError('missing "prompt" or "messages"');
}

/** `reference: "..."` or `references: ["...", ...]`: the answers an output is scored against. */
function parseReferences(value: Record<string, unknown>): string[] | null {
  if (value.reference !== undefined && value.references !== undefined) throw new EntryError('give "reference" or "references", not both');
  if (value.reference !== undefined) {
    if (typeof value.reference !== 'string') throw new EntryError('"reference" must be a string');
    return [value.reference];
  }
  if (value.references === undefined) return null;
  if (!Array.isArray(value.references) || value.references.length === 0 || !value.references.every((r) => typeof r === 'string')) {
    throw new EntryError('"references" must be a non-empty array of strings');
  }
  return value.references as string[];
}

function parseMaxTokens(value: Record<string, unknown>): number | null {
  const key = value.max_tokens !== undefined ? 'max_tokens' : 'output_tokens';
  const n = value[key];
  if (n === undefined || n === null) return null;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw new EntryError(`"${key}" must be a whole number >= 1, got ${JSON.stringify(n)}`);
  }
  return n;
}

/** Chat messages with string content; OpenAI content-part arrays are reduced to their text parts. */
function parseMessages(raw: unknown): Array<{ role: string; content: string }> {
  if (!Array.isArray(raw) || raw.length === 0) throw new EntryError('"messages" must be a non-empty array');
  return raw.map((m: unknown, i) => {
    if (!isObject(m) || typeof m.role !== 'string') {
      throw new EntryError(`"messages[${i}]" must be an object with a string "role"`);
    }
    const content = textContent(m.content);
    if (content === null) throw new EntryError(`"messages[${i}].content" must be a string or an array of text parts`);
    return { role: m.role, content };
  });
}

function textContent(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isObject(part) && typeof part.text === 'string') texts.push(part.text);
    else return null;
  }
  return texts.join('\n');
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
