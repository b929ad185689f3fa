import { join } from 'node:path';
import envPaths from 'env-paths';

/** The store file: $INFERSCOPE_DB, else inferscope.db in the user's data directory. */
export function defaultDbPath(): string {
  const fromEnv = process.env['INFERSCOPE_DB'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
  return join(envPaths('inferscope', { suffix: '' }).data, 'inferscope.db');
}
