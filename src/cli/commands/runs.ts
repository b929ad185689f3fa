import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { collectLabel, oneOf, positiveInt } from '../parse-flags.js';
import { ConfigError } from '../../config/errors.js';

async function withStore<T>(db: string | undefined, fn: (store: import('../../store/types.js').RunStore) => T | Promise<T>): Promise<T> {
  const { defaultDbPath } = await import('../../store/default-path.js');
  const { isPostgresUrl, openStore } = await import('../../store/open-store.js');
  const path = db ?? defaultDbPath();
  // Reading never creates a database: a mistyped --db would otherwise show an empty history.
  if (!isPostgresUrl(path) && path !== ':memory:' && !existsSync(path)) {
    throw new ConfigError(
      '--db',
      db !== undefined
        ? `--db: no run database at ${path}`
        : `no runs recorded yet: there is no run database at ${path} (inferscope bench records runs there; --db or $INFERSCOPE_DB choose another)`,
    );
  }
  const store = await openStore(path);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function parseSince(text: string): Date {
  const rel = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[rel[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(rel[1]) * unit);
  }
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new ConfigError('--since', `--since: expected a date (2026-11-01) or an age (30m, 2h, 7d), got ${JSON.stringify(text)}`);
  return d;
}

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('Recorded runs in the store: SQLite, or PostgreSQL (--db or $INFERSCOPE_DB)');
  const dbOpt = ['--db <path|url>', 'SQLite file or postgres:// URL (default: $INFERSCOPE_DB or the user data directory)'] as const;
  runs
    .command('list')
    .description('list runs, newest first')
    .option(...dbOpt)
    .option('--label <k=v>', 'only runs with this label (repeatable)', collectLabel)
    .option('--target <url>', 'only runs against this target URL')
    .option('--since <when>', 'only runs since a date or an age (e.g. 2d)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--json', 'print {"runs": [...]} on stdout: each run with its summary, labels and options')
    .action(async (f: { db?: string; label?: Record<string, string>; target?: string; since?: string; limit: number; json?: boolean }) => {
      const { runsList, runsListJson } = await import('../../store/runs-commands.js');
      const filter = {
        ...(f.label ? { labels: f.label } : {}),
        ...(f.target ? { target: f.target } : {}),
        ...(f.since ? { since: parseSince(f.since) } : {}),
        limit: f.limit,
      };
      const out = await withStore(f.db, (s) => (f.json ? runsListJson(s, filter) : runsList(s, filter)));
      process.stdout.write(out + '\n');
    });
  runs
    .command('show <id>')
    .description('show one run (id, unambiguous prefix, or baseline name)')
    .option(...dbOpt)
    .option('--json', 'print the stored run as JSON (summary, results, options, labels, request counts)')
    .action(async (id: string, f: { db?: string; json?: boolean }) => {
      const { runsShow } = await import('../../store/runs-commands.js');
      process.stdout.write((await withStore(f.db, (s) => runsShow(s, id, { json: f.json === true }))) + '\n');
    });
  runs
    .command('export <id>')
    .description('export a run with its per-request records')
    .option(...dbOpt)
    .option('--format <fmt>', 'json | csv', oneOf('--format', ['json', 'csv'] as const), 'json')
    .action(async (id: string, f: { db?: string; format: 'json' | 'csv' }) => {
      if (f.format === 'csv') {
        // The same per-request CSV as bench --csv and report --csv.
        const { reportCsv } = await import('../../report/html/request-rows-csv.js');
        process.stdout.write(
          await withStore(f.db, async (s) => {
            const run = await s.getRun(id);
            return reportCsv([{ label: run.id, records: await s.getRequests(run.id) }]);
          }),
        );
        return;
      }
      const { runsExport } = await import('../../store/runs-commands.js');
      process.stdout.write(await withStore(f.db, (s) => runsExport(s, id, 'json')));
    });
  runs
    .command('delete <id>')
    .description('delete a run and its records')
    .option(...dbOpt)
    .option('--force', 'delete a run that is still marked running (its writer may be gone)')
    .action(async (id: string, f: { db?: string; force?: boolean }) => {
      const { runsDelete } = await import('../../store/runs-commands.js');
      process.stdout.write((await withStore(f.db, (s) => runsDelete(s, id, { force: f.force === true }))) + '\n');
    });
  runs
    .command('tag <id>')
    .description('name a run as a baseline')
    .requiredOption('--baseline <name>', 'baseline name')
    .option(...dbOpt)
    .action(async (id: string, f: { db?: string; baseline: string }) => {
      const { runsTag } = await import('../../store/runs-commands.js');
      process.stdout.write((await withStore(f.db, (s) => runsTag(s, id, f.baseline))) + '\n');
    });
}
