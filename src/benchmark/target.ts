import type { BenchmarkListener } from './events.js';

export interface ResolvedTarget {
  /** OpenAI base URL including /v1. */
  baseUrl: string;
  embedded: boolean;
  /** Model id the embedded engine serves, if embedded. */
  embeddedModel?: string;
  close(): Promise<void>;
}

/**
 * The target of a run: the given URL, or the embedded llama.cpp engine started on a free loopback port.
 * The engine module is imported lazily so remote runs never load llama.cpp.
 */
export async function resolveTarget(
  url: string | undefined,
  engine: { preset: string; modelPath?: string; parallel: number },
  emit: BenchmarkListener,
): Promise<ResolvedTarget> {
  if (url) return { baseUrl: url.replace(/\/+$/, ''), embedded: false, close: async () => {} };
  emit({ type: 'phase', phase: 'starting-engine', detail: engine.modelPath ?? `preset ${engine.preset}` });
  const { startEmbeddedServer } = await import('../engine/server.js');
  const server = await startEmbeddedServer({
    host: '127.0.0.1',
    port: 0,
    parallel: engine.parallel,
    ...(engine.modelPath ? { modelPath: engine.modelPath } : { preset: engine.preset }),
  });
  return { baseUrl: server.url, embedded: true, embeddedModel: server.modelId, close: () => server.close() };
}
