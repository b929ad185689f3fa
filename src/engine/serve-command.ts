import { startEmbeddedServer } from './server.js';

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
  log(opts.model ? `loading ${opts.model}` : `preparing generated model '${opts.preset ?? 'tiny'}'`);
  const server = await startEmbeddedServer({
    ...(opts.model ? { modelPath: opts.model } : { preset: opts.preset ?? 'tiny' }),
    host: opts.host,
    port: opts.port,
    parallel: opts.parallel,
    ...(opts.contextSize !== undefined ? { contextSize: opts.contextSize } : {}),
    logger: log,
  });
  log(`serving model '${server.modelId}' (parallel ${opts.parallel}, context ${server.contextSize} tokens per sequence) at ${server.url}`);
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
