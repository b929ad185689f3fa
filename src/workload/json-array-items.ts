/**
 * Splits a streamed top-level JSON array into the source text of its elements, with the line each
 * starts on, so huge arrays are parsed one element at a time and errors can name a line.
 */

/** The array's overall shape is broken (not an array, unterminated, trailing text). */
export class JsonArrayError extends Error {
  override readonly name = 'JsonArrayError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface JsonArrayItem {
  /** The element's JSON text, for JSON.parse. */
  text: string;
  /** 1-based line where the element starts. */
  line: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\uFEFF']);

/**
 * Yield each element of the JSON array read from `chunks`. Only brackets, braces, strings and commas
 * are tracked; the elements themselves are validated by JSON.parse.
 * @throws JsonArrayError when the text is not one JSON array.
 */
export async function* jsonArrayItems(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<JsonArrayItem> {
  let line = 1;
  let state: 'before' | 'inside' | 'after' = 'before';
  const open: string[] = []; // brackets open inside the current element
  let inString = false;
  let escaped = false;
  let parts: string[] | null = null; // the current element's text so far
  let partStart = 0;
  let itemLine = 0;
  let expectItem = true; // after '[' or ',': an element must come next (or ']' right after '[')
  let sawItem = false;

  for await (const rawChunk of chunks) {
    const chunk = typeof rawChunk === 'string' ? rawChunk : rawChunk.toString('utf8');
    partStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (c === '\n') line++;
      if (parts !== null) {
        // Inside an element.
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') open.push(c === '{' ? '}' : ']');
        else if ((c === '}' || c === ']') && open.length > 0) {
          // A wrong closer means the element's structure is broken; later elements cannot be found reliably.
          if (open.pop() !== c) throw new JsonArrayError(line, `invalid JSON: unexpected "${c}"`);
        } else if (open.length === 0 && (c === ',' || c === ']')) {
          parts.push(chunk.slice(partStart, i));
          yield { text: parts.join(''), line: itemLine };
          parts = null;
          expectItem = c === ',';
          if (c === ']') state = 'after';
        }
        continue;
      }
      if (WHITESPACE.has(c)) continue;
      if (state === 'before') {
        if (c !== '[') throw new JsonArrayError(line, 'expected a JSON array of conversations');
        state = 'inside';
        continue;
      }
      if (state === 'after') throw new JsonArrayError(line, 'unexpected text after the closing "]"');
      // state === 'inside', between elements.
      if (c === ']') {
        if (expectItem && sawItem) throw new JsonArrayError(line, 'invalid JSON: trailing comma before "]"');
        state = 'after';
        continue;
      }
      if (c === ',') throw new JsonArrayError(line, 'invalid JSON: unexpected ","');
      if (!expectItem) throw new JsonArrayError(line, 'invalid JSON: expected "," or "]"');
      parts = [];
      partStart = i;
      itemLine = line;
      sawItem = true;
      expectItem = false;
      open.length = 0;
      if (c === '{' || c === '[') open.push(c === '{' ? '}' : ']');
      inString = c === '"';
      escaped = false;
    }
    if (parts !== null) parts.push(chunk.slice(partStart));
  }
  if (state === 'before') throw new JsonArrayError(line, 'file is empty; expected a JSON array of conversations');
  if (state === 'inside') throw new JsonArrayError(line, 'unexpected end of file inside the JSON array');
}
