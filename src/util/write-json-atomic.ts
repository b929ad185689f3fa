import { renameSync, writeFileSync } from 'node:fs';

/** Written whole or not at all: a reader (or a crash) never leaves half a JSON file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}
