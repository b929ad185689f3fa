import { Command } from 'commander';
import { EXIT, exitFor } from './exit-codes.js';
import { TOOL_VERSION } from '../version.js';
import { registerBench } from './commands/bench.js';
import { registerServe } from './commands/serve.js';
import { registerBuildEngine } from './commands/build-engine.js';
import { registerRuns } from './commands/runs.js';
import { registerReport } from './commands/report.js';
import { registerCompare } from './commands/compare.js';
import { registerMonitor } from './commands/monitor.js';
import { registerSweep } from './commands/sweep.js';
import { registerCompareEndpoints } from './commands/compare-endpoints.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerRoofline } from './commands/roofline.js';
import { registerMerge } from './commands/merge.js';
import { registerK8s } from './commands/k8s.js';
import { registerPareto } from './commands/pareto.js';
import { registerSimulate } from './commands/simulate.js';
import { expandConfigFile } from './config-file.js';

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
  registerSweep(program, setExit);
  registerCompareEndpoints(program, setExit);
  registerPareto(program);
  registerServe(program);
  registerBuildEngine(program, setExit);
  registerRuns(program);
  registerReport(program, setExit);
  registerCompare(program, setExit);
  registerAnalyze(program);
  registerRoofline(program);
  registerSimulate(program);
  registerMerge(program);
  registerK8s(program);
  registerMonitor(program);
  try {
    await program.parseAsync(expandConfigFile(argv, program));
    return exitCode;
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  const { code, message } = exitFor(err);
  if (message) process.stderr.write(`error: ${message}\n`);
  const cause = (err as Error | undefined)?.cause;
  if (code === EXIT.failure && cause) process.stderr.write(`  caused by: ${(cause as Error)?.message ?? String(cause)}\n`);
  if (process.env.INFERSCOPE_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return code;
}
