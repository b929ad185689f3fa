import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './errors.js';

/**
 * Checks that an output file can be written, before any request is sent: a run must not end with nothing saved.
 * Creates missing parent directories; leaves no file behind that was not there.
 * @throws ConfigError naming the flag.
 */
export function assertWritableFile(path: string, flag: string): void {
  try {
    if (existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a directory');
    mkdirSync(dirname(path), { recursive: true });
    const existed = existsSync(path);
    closeSync(openSync(path, 'a'));
    if (!existed) rmSync(path, { force: true });
  } catch (err) {
    throw new ConfigError(flag, `${flag}: cannot write ${path}: ${reason(err)}`, { cause: err });
  }
}

/** Checks that files can be created in an output directory (created when missing). @throws ConfigError naming the flag. */
export function assertWritableDir(dir: string, flag: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.inferscope-write-check-${process.pid}`);
    closeSync(openSync(probe, 'w'));
    rmSync(probe, { force: true });
  } catch (err) {
    throw new ConfigError(flag, `${flag}: cannot write to ${dir}: ${reason(err)}`, { cause: err });
  }
}

function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOTDIR' || e?.code === 'EEXIST') return 'a parent is a file, not a directory';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EROFS') return 'read-only file system';
  return e?.message ?? String(err);
}
