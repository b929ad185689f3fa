import { basename } from 'node:path';
import { findLlamaServer } from '../../src/engine/llama-server/binary.js';
import { startLlamaServerProcess, type LlamaServerProcess } from '../../src/engine/llama-server/launch.js';

/** The cached llama-server binary built from node-llama-cpp's bundled source, or null when it was not built. */
export function llamaServerBinary(): string | null {
  return findLlamaServer();
}

export type LlamaServer = LlamaServerProcess;

/**
 * Starts a real llama-server on a free loopback port with `--metrics`, serving `model` with the embedded engine's
 * shape (1 thread, `parallel` slots, its token bans), and waits until /health answers 200.
 */
export function startLlamaServer(
  binary: string,
  opts: { model: string; parallel?: number; ctxSize?: number; threads?: number; extraArgs?: string[] },
): Promise<LlamaServer> {
  return startLlamaServerProcess({
    binary,
    modelPath: opts.model,
    modelId: basename(opts.model).replace(/\.gguf$/i, ''),
    parallel: opts.parallel ?? 4,
    contextSize: opts.ctxSize ?? 2048,
    threads: opts.threads ?? 1,
    host: '127.0.0.1',
    port: 0,
    ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
  });
}
