import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/inferscope.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI in a child process (asynchronously, so a server in this process keeps serving).
 * `onSpawn` gets the child, e.g. to send it SIGINT mid-run. Runs are recorded in a fresh temporary store unless
 * the caller sets INFERSCOPE_DB.
 */
export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, INFERSCOPE_DB: join(mkdtempSync(join(tmpdir(), 'inferscope-db-')), 'runs.db'), ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`inferscope ${args.join(' ')} timed out\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    opts.onSpawn?.(child);
  });
}
