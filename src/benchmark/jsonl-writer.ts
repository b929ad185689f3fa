import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Appends one JSON line per finished request. Writes synchronously per line so that a crash or Ctrl-C
 * loses nothing that finished: the OS has every completed line even if the process dies right after.
 */
export interface JsonlWriter {
  write(value: unknown): void;
  close(): void;
  readonly path: string;
  readonly lines: number;
}

export function openJsonlWriter(path: string): JsonlWriter {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  let lines = 0;
  let closed = false;
  return {
    path,
    get lines() {
      return lines;
    },
    write(value) {
      if (closed) return;
      writeSync(fd, JSON.stringify(value) + '\n');
      lines++;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
