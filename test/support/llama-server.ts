import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readGgufFileInfo } from 'node-llama-cpp';

const ENSURE = fileURLToPath(new URL('../../scripts/ensure-llama-server.js', import.meta.url));

/** The cached llama-server binary built from node-llama-cpp's bundled source, or null when it was not built. */
export function llamaServerBinary(): string | null {
  const r = spawnSync(process.execPath, [ENSURE, '--path'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export interface LlamaServer {
  /** Base URL including /v1. */
  url: string;
  process: ChildProcess;
  close(): Promise<void>;
}

/**
 * Starts a real llama-server on a free loopback port with `--metrics`, serving `model` with the embedded engine's
 * shape (1 thread, `parallel` slots), and waits until /health answers 200.
 */
export async function startLlamaServer(
  binary: string,
  opts: { model: string; parallel?: number; ctxSize?: number; threads?: number; extraArgs?: string[] },
): Promise<LlamaServer> {
  const port = await freePort();
  const parallel = opts.parallel ?? 4;
  const args = [
    '--model', opts.model,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--metrics',
    '--threads', String(opts.threads ?? 1),
    '--parallel', String(parallel),
    '--ctx-size', String((opts.ctxSize ?? 2048) * parallel),
    // The generated models' random weights pick raw byte tokens as often as words; llama-server's chat parser
    // rejects the invalid UTF-8 they make (a stream error). The embedded engine bans the same tokens.
    ...(await nonTextByteBans(opts.model)).flatMap((id) => ['--logit-bias', `${id}-inf`]),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-8000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${base}/health`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`llama-server did not become healthy within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `${base}/v1`,
    process: child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Token ids of a generated model's byte pieces that are not printable ASCII, tab or newline (as the engine bans). */
async function nonTextByteBans(model: string): Promise<number[]> {
  const info = await readGgufFileInfo(model, { readTensorInfo: false });
  const meta = info.metadata as { general?: { name?: unknown }; tokenizer?: { ggml?: { tokens?: unknown } } };
  const pieces = meta.tokenizer?.ggml?.tokens;
  if (typeof meta.general?.name !== 'string' || !meta.general.name.startsWith('inferscope-') || !Array.isArray(pieces)) return [];
  const ids: number[] = [];
  pieces.forEach((piece: unknown, id) => {
    const byte = typeof piece === 'string' ? /^<0x([0-9A-F]{2})>$/.exec(piece) : null;
    const b = byte ? parseInt(byte[1]!, 16) : -1;
    if (piece === '<unk>' || (byte && !(b === 0x09 || b === 0x0a || (b >= 0x20 && b < 0x7f)))) ids.push(id);
  });
  return ids;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
