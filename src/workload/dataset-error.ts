import { InputError } from '../errors.js';

/**
 * A dataset file that cannot be used: unreadable, malformed at a given line, or with no usable
 * entries. The message starts with `file:line:` (or `file:`) so editors and terminals can jump to it.
 */
export class DatasetError extends InputError {
  override readonly name = 'DatasetError';
  /** The dataset path as the user gave it. */
  readonly file: string;
  /** 1-based line of the offending entry, when known. */
  readonly line: number | null;

  constructor(file: string, line: number | null, reason: string, options?: { cause?: unknown }) {
    super(`${line === null ? file : `${file}:${line}`}: ${reason}`, options);
    this.file = file;
    this.line = line;
  }
}

/** A malformed entry, before the loader knows the file and line; the loader wraps it in DatasetError. */
export class EntryError extends Error {
  override readonly name = 'EntryError';
}
