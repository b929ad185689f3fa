import type { Command } from 'commander';

/** `inferscope merge`: the shards of one distributed run as one run. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('Merge the shards of one run (bench --shard K/N --start-at TIME): every request index checked, every metric recomputed from the records')
    .argument('<shards...>', 'each shard: a bench --out directory, a results.json, or a stored run')
    .option('--out <dir>', 'write the merged results.json and requests.jsonl here')
    .option('--db <path|url>', 'record the merged run in this SQLite file or postgres:// database (default: $INFERSCOPE_DB, else the user data directory)')
    .option('--no-db', 'do not record the merged run')
    .option('--json', 'print the merged results JSON on stdout')
    .action(async (refs: string[], flags: { out?: string; db?: string | false; json?: boolean }) => {
      const { mergeCommand } = await import('./merge-action.js');
      await mergeCommand(refs, flags);
    });
}
