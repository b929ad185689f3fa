import { ConfigError } from '../config/errors.js';
import { findLlamaServer } from './llama-server/binary.js';

/** What runs the embedded engine: llama.cpp's own llama-server, or llama.cpp in-process through node-llama-cpp. */
export const ENGINE_BACKENDS = ['auto', 'llama-server', 'node-llama-cpp'] as const;
export type EngineBackendChoice = (typeof ENGINE_BACKENDS)[number];
export type EngineBackend = Exclude<EngineBackendChoice, 'auto'>;

export interface ResolvedBackend {
  backend: EngineBackend;
  /** The llama-server binary, when that is the backend. */
  binary?: string;
}

/**
 * `auto` takes llama-server when it has been built (`inferscope build-engine`; the test setup builds it too), else
 * node-llama-cpp's prebuilt binaries, which need no compiler but decode at about half llama-server's speed.
 */
export function resolveBackend(choice: EngineBackendChoice, field = '--engine-backend'): ResolvedBackend {
  if (choice === 'node-llama-cpp') return { backend: 'node-llama-cpp' };
  const binary = findLlamaServer();
  if (binary) return { backend: 'llama-server', binary };
  if (choice === 'llama-server') {
    throw new ConfigError(field, `${field} llama-server: llama-server is not built here; run \`inferscope build-engine\` once (about 10 minutes on 2 cores)`);
  }
  return { backend: 'node-llama-cpp' };
}
