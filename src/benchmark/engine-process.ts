import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface EngineProcess {
  url: string;
  modelId: string;
  close(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/inferscope.js', import.meta.url));

/**
 * Starts the embedded engine (`inferscope serve`) in its own process on a free loopback port. A separate process
 * keeps llama.cpp's compute and the server's event loop off the load generator's clock and CPU budget, so the
 * client's fidelity checks measure the client alone. The child exits when this process goes away.
 */
export function startEngineProcess(opts: { preset: string; modelPath?: string; parallel: number; log?: (line: string) => void }): Promise<EngineProcess> {
  const args = ['serve', '--port', '0', '--host', '127.0.0.1', '--parallel', String(opts.parallel)];
  if (opts.modelPath) args.push('--model', opts.modelPath);
  else args.push('--preset', opts.preset);
  const child: ChildProcess = fork(BIN, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      child.kill('SIGKILL');
      reject(new Error(`the embedded engine did not start: ${why}${stderr ? `\n${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail('no answer within 120 s'), 120_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`it exited (${signal ?? `code ${code}`})`);
    });
    child.on('message', (m: { type?: string; url?: string; modelId?: string }) => {
      if (m?.type !== 'ready' || !m.url || !m.modelId) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: m.url,
        modelId: m.modelId,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
