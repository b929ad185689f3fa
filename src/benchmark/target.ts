import { startEngineProcess, type EngineProcessOptions } from '../engine/engine-process.js';
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
 * The target of a session: the given URL, or the embedded llama.cpp engine started on a free loopback port.
 * The engine runs in a child process so its compute never shares the load generator's CPU or event loop.
 */
export async function resolveTarget(url: string | undefined, engine: EngineProcessOptions, emit: BenchmarkListener): Promise<ResolvedTarget> {
  if (url) return { baseUrl: url.replace(/\/+$/, ''), embedded: false, close: async () => {} };
  emit({ type: 'phase', phase: 'starting-engine', detail: engine.modelPath ?? `preset ${engine.preset}` });
  const server = await startEngineProcess(engine);
  return { baseUrl: server.url, embedded: true, embeddedModel: server.modelId, close: () => server.close() };
}
