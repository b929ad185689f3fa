import { fork, type ChildProcess } from 'node:child_process';
import { stopChild } from './stop-child.js';
import { fileURLToPath } from 'node:url';
import type { EmbeddedServerOptions } from './server.js';
import { resolveBackend, type EngineBackend, type EngineBackendChoice } from './backend.js';
import { startLlamaServerProcess } from './llama-server/launch.js';
import { servedModel } from './model-cache.js';
import { DEFAULTS } from '../config/defaults.js';

export interface EngineProcess {
  url: string;
  modelId: string;
  backend: EngineBackend;
  /** Context per sequence the engine serves, when it reports one (llama-server caps the asked size at the model's training context). */
  contextSize?: number;
  close(): Promise<void>;
}

/** What the engine process is started with: the server's options, less what the process decides itself. */
export type EngineProcessOptions = Omit<EmbeddedServerOptions, 'logger' | 'host' | 'port'> & {
  /** Default auto: llama-server when built, else node-llama-cpp. */
  backend?: EngineBackendChoice;
};

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts the embedded engine in its own process on a free loopback port. A separate process keeps llama.cpp's
 * compute and the server's event loop off the load generator's clock and CPU budget, so the client's fidelity
 * checks measure the client alone. The child exits when this process goes away.
 *
 * @example const engine = await startEngineProcess({ preset: 'tiny', parallel: 4 }); ...; await engine.close();
 */
export async function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const { backend: choice = 'auto', ...rest } = options;
  const resolved = resolveBackend(choice);
  if (resolved.backend === 'llama-server') {
    const model = await servedModel(rest);
    const server = await startLlamaServerProcess({
      binary: resolved.binary!,
      ...model,
      parallel: rest.parallel ?? DEFAULTS.engine.parallel,
      contextSize: rest.contextSize ?? DEFAULTS.engine.autoContext.min,
      threads: rest.threads ?? DEFAULTS.engine.threads,
      host: '127.0.0.1',
      port: 0,
    });
    return { url: server.url, modelId: server.modelId, backend: 'llama-server', contextSize: server.contextSize, close: server.close };
  }
  return forkInProcessEngine(rest);
}

function forkInProcessEngine(options: Omit<EngineProcessOptions, 'backend'>): Promise<EngineProcess> {
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
      resolve({ url: m.url, modelId: m.modelId, backend: 'node-llama-cpp', close: () => stopChild(child, STOP_TIMEOUT_MS) });
    });
  });
}
