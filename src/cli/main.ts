import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { TOOL_VERSION } from '../version.js';
import { registerBench } from './commands/bench.js';
import { registerServe } from './commands/serve.js';
import { registerRuns } from './commands/runs.js';
import { registerReport } from './commands/report.js';
import { registerCompare } from './commands/compare.js';

/** Exit codes: 0 ok; 1 runtime failure; 2 bad input; 3 a threshold or regression gate failed. */
export const EXIT = { ok: 0, failure: 1, usage: 2, gate: 3 } as const;

/** An error carrying the exit code the CLI should end with. */
export class ExitError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Entry point: parses argv, runs one command, maps every error to an exit code (one catch for all).
 * Returns the exit code instead of calling process.exit, so buffered output drains.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('inferscope')
    .description('Measure how fast, how cheap and how reliably an LLM inference service answers.')
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = Math.max(exitCode, code);
  };
  registerBench(program, setExit);
  registerServe(program);
  registerRuns(program);
  registerReport(program, setExit);
  registerCompare(program, setExit);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version output are not failures.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    if (err.cause instanceof ConfigError) {
      process.stderr.write(`error: ${err.cause.message}\n`);
    }
    return EXIT.usage;
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof ExitError) {
    process.stderr.write(`error: ${err.message}\n`);
    return err.code;
  }
  const e = err as Error;
  process.stderr.write(`error: ${e?.message ?? String(err)}\n`);
  if (e?.cause) process.stderr.write(`  caused by: ${(e.cause as Error)?.message ?? String(e.cause)}\n`);
  if (process.env.INFERSCOPE_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  return EXIT.failure;
}
