import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild } from '../stop-child.js';
import { bannedTokenIds } from '../token-bans.js';

export interface LlamaServerOptions {
  binary: string;
  modelPath: string;
  /** Name the server answers to (--alias), as the in-process engine names its model. */
  modelId: string;
  /** Slots: requests decoded together. */
  parallel: number;
  /** Tokens per slot (prompt + completion). */
  contextSize: number;
  threads: number;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Lines of the server's log (stderr). */
  logger?: (line: string) => void;
  extraArgs?: readonly string[];
}

export interface LlamaServerProcess {
  /** Base URL including /v1. */
  url: string;
  modelId: string;
  /** Tokens per slot as served: the asked size, capped at the model's training context as llama-server caps it. */
  contextSize: number;
  process: ChildProcess;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts llama-server with `--metrics`, the in-process engine's shape (threads, slots, context per slot) and its
 * token bans, and resolves once /health answers 200. The child is killed if this process exits.
 */
export async function startLlamaServerProcess(opts: LlamaServerOptions): Promise<LlamaServerProcess> {
  // Imported lazily: loading node-llama-cpp takes a second or more, which runs against a URL never need.
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(opts.modelPath, { readTensorInfo: false });
  const contextSize = Math.min(opts.contextSize, trainContext(info.metadata) ?? Infinity);
  const args = [
    '--model', opts.modelPath,
    '--alias', opts.modelId,
    '--host', opts.host,
    '--port', String(opts.port),
    '--metrics',
    // Browsers on other sites' pages may not call the engine (its default allows every origin).
    '--cors-origins', 'localhost',
    '--threads', String(opts.threads),
    '--parallel', String(opts.parallel),
    '--ctx-size', String(contextSize * opts.parallel),
    // The generated models' random weights pick raw byte tokens as often as words; llama-server's chat parser
    // rejects the invalid UTF-8 they make. The in-process engine bans the same tokens.
    ...bannedTokenIds(info.metadata).flatMap((id) => ['--logit-bias', `${id}-inf`]),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let tail = '';
  let pending = '';
  let listening: ((url: string) => void) | undefined;
  const address = new Promise<string>((resolve) => (listening = resolve));
  child.stderr!.setEncoding('latin1').on('data', (d: string) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // One warning per banned token says repeated --logit-bias flags are deprecated, yet they all still apply (a
      // comma-separated list does not parse "-inf" here): noise in the log and in a start-up failure's tail.
      if (line.includes("argument '--logit-bias' specified multiple times")) continue;
      tail = (tail + line + '\n').slice(-4000);
      opts.logger?.(line);
      const m = /listening on (http:\/\/\S+?)\/?\s*$/.exec(line);
      if (m) listening?.(m[1]!);
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`llama-server exited (${signal ?? `code ${code}`}) while starting:\n${(tail + pending).trim()}`))),
  );
  exited.catch(() => undefined);
  const stop = (): Promise<void> => stopChild(child, STOP_TIMEOUT_MS);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`llama-server did not become healthy within ${START_TIMEOUT_MS / 1000} s:\n${(tail + pending).trim()}`)), START_TIMEOUT_MS);
  });
  const gaveUp = { value: false };
  try {
    const base = await Promise.race([address, exited, timeout]);
    await Promise.race([waitHealthy(base, gaveUp), exited, timeout]);
    return { url: `${base}/v1`, modelId: opts.modelId, contextSize, process: child, close: stop };
  } catch (err) {
    gaveUp.value = true;
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The model's training context (`<arch>.context_length` in its GGUF metadata), if stated. */
function trainContext(metadata: unknown): number | null {
  const meta = metadata as Record<string, unknown> & { general?: { architecture?: unknown } };
  const arch = meta.general?.architecture;
  const section = typeof arch === 'string' ? (meta[arch] as { context_length?: unknown } | undefined) : undefined;
  const n = Number(section?.context_length);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** /health answers 503 while the model loads, 200 when it serves. */
async function waitHealthy(base: string, gaveUp: { value: boolean }): Promise<void> {
  while (!gaveUp.value) {
    try {
      const res = await fetch(`${base}/health`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not accepting yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
