import type { Command } from 'commander';

/** `inferscope analyze RUN|SWEEP`: what limits a stored run or sweep, with the evidence. */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('Explain a run or sweep: the limiting factor (queueing, prefill, decode, KV cache, network, client, errors, stalls) with its evidence and what to try')
    .argument('<run-or-sweep>', 'a stored run or sweep (id, prefix, baseline name), a bench/sweep --out directory, or a results.json / sweep.json')
    .option('--db <path|url>', 'SQLite file or postgres:// URL of stored runs (default: $INFERSCOPE_DB or the user data directory)')
    .option('--json', 'print the findings as JSON')
    .action(async (ref: string, flags: { db?: string; json?: boolean }) => {
      const { analyzeCommand } = await import('./analyze-action.js');
      await analyzeCommand(ref, flags);
    });
}
