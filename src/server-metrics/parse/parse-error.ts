/** A malformed exposition. `line` is 1-based; `column` is 1-based within that line. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    options?: { cause?: unknown },
  ) {
    super(`line ${line}, column ${column}: ${message}`, options);
  }
}
