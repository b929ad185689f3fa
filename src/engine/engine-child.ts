/**
 * Entry point of the embedded engine's own process (see engine-process.ts): waits for its options over IPC,
 * starts the server on a free loopback port, reports the address, and stops when told to or when the parent goes.
 */
import { startEmbeddedServer, type EmbeddedServerOptions } from './server.js';

type ChildOptions = Omit<EmbeddedServerOptions, 'logger' | 'host' | 'port'>;

process.once('message', (message: { type?: string; options?: ChildOptions }) => {
  if (message?.type !== 'start') return;
  void run(message.options ?? {});
});

async function run(options: ChildOptions): Promise<void> {
  try {
    const server = await startEmbeddedServer({
      ...options,
      host: '127.0.0.1',
      port: 0,
      logger: (line) => process.stderr.write(`${line}\n`),
    });
    process.send?.({ type: 'ready', url: server.url, modelId: server.modelId });
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
      // The parent went away (even if it was killed): stop too.
      process.once('disconnect', () => resolve());
    });
    await server.close();
  } catch (err) {
    process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  }
  if (process.connected) process.disconnect();
}
