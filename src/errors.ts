/**
 * The one base class of every error a person running inferscope can act on. `kind` says what went wrong in the
 * terms that decide the exit status: `input` (a flag, file, config or reference the user gave cannot be used:
 * fix it and run again), `failure` (the run itself could not be done: the target is unreachable, the engine did
 * not start). `cli/exit-codes.ts` maps kinds to exit codes in one place; nothing else decides an exit code.
 */
export type ErrorKind = 'input' | 'failure';

export class InferscopeError extends Error {
  override readonly name: string = 'InferscopeError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad user input that is not one flag: a file, a reference to a run, a config document. */
export class InputError extends InferscopeError {
  override readonly name: string = 'InputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('input', message, options);
  }
}

/** The run could not be done, through no fault of its input. */
export class RunFailedError extends InferscopeError {
  override readonly name: string = 'RunFailedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('failure', message, options);
  }
}
