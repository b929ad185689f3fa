import pg from 'pg';
import { StoreError } from '../errors.js';
import { migratePg } from './pg-migrations.js';
import { redactPgUrl } from './pg-url.js';

/**
 * A connection pool to a PostgreSQL database brought to the latest schema (migrated under an advisory lock, so
 * concurrent openers are safe). Fails with a StoreError naming the database without its password.
 */
export async function connectPg(url: string, options: { max?: number } = {}): Promise<{ pool: pg.Pool; location: string }> {
  const location = redactPgUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 2, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migratePg(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof StoreError) throw error;
    throw new StoreError('io', `cannot open the PostgreSQL database ${location}: ${(error as Error).message}`, { cause: error });
  }
  return { pool, location };
}
