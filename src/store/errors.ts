import { InputError } from '../errors.js';

/** Why a store operation failed; the CLI maps these to messages and exit codes. */
export type StoreErrorCode =
  | 'not_found' // no run matches the reference
  | 'ambiguous' // an id prefix matches several runs
  | 'invalid_input' // a bad label, baseline name, status, ...
  | 'schema' // the database was written by a newer inferscope, or a migration failed
  | 'corrupt' // stored JSON could not be decoded
  | 'io'; // the database file could not be opened or written

/** Typed store failure; `matches` lists candidate run ids for `ambiguous`. */
export class StoreError extends InputError {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly matches: readonly string[];

  /** Every store failure names a run, label or database file the user gave: input the user can fix. */
  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown; matches?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.matches = options.matches ?? [];
  }
}
