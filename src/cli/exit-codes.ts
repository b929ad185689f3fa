import { CommanderError } from 'commander';
import { InferscopeError } from '../errors.js';

/**
 * Exit codes: 0 ok; 1 the run failed (a runtime failure, or a run whose requests failed); 2 bad input (nothing was
 * sent); 3 a threshold or regression gate failed; 130 interrupted (Ctrl-C).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, gate: 3, interrupted: 130 } as const;

/** An error carrying the exit code the CLI should end with (a command's own decision, e.g. a failed run). */
export class ExitError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The one mapping from errors to exit codes, with the message to print (null when nothing should be printed). */
export function exitFor(err: unknown): { code: number; message: string | null } {
  if (err instanceof CommanderError) {
    // Help and version output are not failures; commander has already printed its own usage message.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return { code: EXIT.ok, message: null };
    }
    const cause = err.cause;
    return { code: EXIT.usage, message: cause instanceof InferscopeError ? cause.message : null };
  }
  if (err instanceof ExitError) return { code: err.code, message: err.message };
  if (err instanceof InferscopeError) return { code: err.kind === 'input' ? EXIT.usage : EXIT.failure, message: err.message };
  const e = err as Error | undefined;
  return { code: EXIT.failure, message: e?.message ?? String(err) };
}
