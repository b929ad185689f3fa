import { startEmbeddedServer } from './server.js';
import { resolveBackend, type EngineBackendChoice } from './backend.js';
import { startLlamaServerProcess } from './llama-server/launch.js';
import { servedModel } from './model-cache.js';
import { DEFAULTS } from '../config/defaults.js';

export interface ServeCommandOptions {
  /** GGUF file to serve; default: the generated model of `preset`. */
  model?: string;
  /** Generated model preset (tiny | small | medium). Default 'tiny'. */
  preset?: string;
  port: number;
  host: string;
  parallel: number;
  /** Tokens per sequence (prompt + completion). */
  contextSize?: number;
  /** Default auto: llama-server when built, else node-llama-cpp. */
  backend?: EngineBackendChoice;
}

interface Running {
  url: string;
  modelId: string;
  contextSize?: number;
  close(): Promise<void>;
}

/**
 * `inferscope serve`: runs the embedded server until SIGINT/SIGTERM, then stops it cleanly
 * (open streams are ended, llama.cpp memory is freed). Progress goes to stderr.
 *
 * @example
 * await serveCommand({ preset: 'tiny', port: 8000, host: '127.0.0.1', parallel: 4 });
 */
export async function serveCommand(opts: ServeCommandOptions): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const { backend, binary } = resolveBackend(opts.backend ?? DEFAULTS.engine.backend);
  log(opts.model ? `loading ${opts.model} on ${backend}` : `preparing generated model '${opts.preset ?? 'tiny'}' on ${backend}`);
  const contextSize = opts.contextSize ?? DEFAULTS.serve.contextSize;
  let server: Running;
  if (backend === 'llama-server') {
    server = await startLlamaServerProcess({
      binary: binary!,
      ...(await servedModel({ ...(opts.model ? { modelPath: opts.model } : { preset: opts.preset ?? 'tiny' }) })),
      parallel: opts.parallel,
      contextSize,
      threads: DEFAULTS.engine.threads,
      host: opts.host,
      port: opts.port,
      // Its per-request lines are noise here; errors and warnings are not.
      logger: (line) => {
        if (/ [EW] /.test(line)) log(`llama-server: ${line.replace(/^[\d.]+ /, '')}`);
      },
    });
  } else {
    server = await startEmbeddedServer({
      ...(opts.model ? { modelPath: opts.model } : { preset: opts.preset ?? 'tiny' }),
      host: opts.host,
      port: opts.port,
      parallel: opts.parallel,
      contextSize,
      logger: log,
    });
  }
  log(`serving model '${server.modelId}' on ${backend} (parallel ${opts.parallel}, context ${server.contextSize ?? contextSize} tokens per sequence) at ${server.url}`);
  log(`metrics at ${server.url.replace(/\/v1$/, '')}/metrics; press Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log(`${signal}: stopping`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  log('stopped');
}
