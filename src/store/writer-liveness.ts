import { hostname } from 'node:os';

/** True when a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when a `running` run's writer is known to be gone: it ran on this host and its pid is dead.
 * A writer on another host cannot be checked, so such runs stay `running`.
 */
export function isWriterGone(writerPid: number | null, writerHost: string | null): boolean {
  if (writerPid === null || writerHost === null) return false;
  if (writerHost !== hostname()) return false;
  return !isPidAlive(writerPid);
}
