import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmbeddedServerOptions } from './server.js';

export interface EngineProcess {
  url: string;
  modelId: string;
  close(): Promise<void>;
}

/** What the engine process is started with: the server's options, less what the process decides itself. */
export type EngineProcessOptions = Omit<EmbeddedServerOptions, 'logger' | 'host' | 'port'>;

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts the embedded engine in its own process on a free loopback port. A separate process keeps llama.cpp's
 * compute and the server's event loop off the load generator's clock and CPU budget, so the client's fidelity
 * checks measure the client alone. The child exits when this process goes away.
 *
 * @example const engine = await startEngineProcess({ preset: 'tiny', parallel: 4 }); ...; await engine.close();
 */
export function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const entry = new URL('./engine-child' + (import.meta.url.endsWith('.ts') ? '.ts' : '.js'), import.meta.url);
  // Running from the TypeScript sources (tests, a checkout): the child needs the same loader.
  const execArgv = import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child: ChildProcess = fork(fileURLToPath(entry), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  child.send({ type: 'start', options });
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      child.kill('SIGKILL');
      reject(new Error(`the embedded engine did not start: ${why}${stderr ? `\n${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`it exited (${signal ?? `code ${code}`})`);
    });
    child.on('message', (m: { type?: string; url?: string; modelId?: string }) => {
      if (m?.type !== 'ready' || !m.url || !m.modelId) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: m.url, modelId: m.modelId, close: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}
