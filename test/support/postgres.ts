/**
 * A real PostgreSQL for tests: `initdb` into a temporary directory, `pg_ctl start` listening on 127.0.0.1 on a free
 * port (and a unix socket in the same directory), trust authentication for the `inferscope` role, stopped and removed
 * afterwards. PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user the Debian package
 * creates. `ensure-test-deps.sh` installs the package when it is missing.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TestPostgres {
  /** postgres://inferscope@127.0.0.1:PORT/DB */
  url: string;
  port: number;
  /** A new empty database, returned as its URL. */
  createDatabase(name: string): string;
  stop(): void;
  start(): void;
  close(): void;
}

/** The directory of initdb, pg_ctl and createdb: where initdb on PATH really lives, else the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBin(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'initdb'))) return dirname(realpathSync(join(dir, 'initdb')));
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian package postgresql; scripts/ensure-test-deps.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'inferscope-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : null;
  if (owner !== null) {
    chownSync(dir, owner, -1);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]): string => {
    const full = join(bin, cmd);
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
      : execFileSync(full, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  };
  run('initdb', ['-D', data, '-U', 'inferscope', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = (): void => void run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = (): void => void run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  const base = `postgres://inferscope@127.0.0.1:${port}`;
  let n = 0;
  return {
    url: `${base}/postgres`,
    port,
    createDatabase(name: string): string {
      const db = `${name}_${++n}`;
      run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'inferscope', db]);
      return `${base}/${db}`;
    },
    start,
    stop,
    close(): void {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
