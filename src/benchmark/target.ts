import { startEngineProcess, type EngineProcessOptions } from '../engine/engine-process.js';
import { resolveBackend, type EngineBackend } from '../engine/backend.js';
import type { Workload } from '../workload/spec.js';
import type { RunLimits } from '../load/types.js';
import { contextForWorkload } from './engine-context.js';
import type { BenchmarkListener } from './events.js';

export interface ResolvedTarget {
  /** OpenAI base URL including /v1. */
  baseUrl: string;
  embedded: boolean;
  /** Model id the embedded engine serves, if embedded. */
  embeddedModel?: string;
  /** The embedded engine's context per sequence (tokens), if embedded. */
  contextSize?: number;
  /** What runs the embedded engine, if embedded. */
  backend?: EngineBackend;
  close(): Promise<void>;
}

/**
 * The target of a session: the given URL, or the embedded llama.cpp engine started on a free loopback port.
 * The engine runs in a child process so its compute never shares the load generator's CPU or event loop.
 */
export async function resolveTarget(
  url: string | undefined,
  engine: EngineProcessOptions,
  emit: BenchmarkListener,
  workload?: { workload: Workload; limits: RunLimits },
): Promise<ResolvedTarget> {
  if (url) return { baseUrl: url.replace(/\/+$/, ''), embedded: false, close: async () => {} };
  let contextSize = engine.contextSize;
  let sized = '';
  if (contextSize === undefined && workload) {
    const { limits } = workload;
    const sizing = contextForWorkload(workload.workload, (limits.requests ?? Infinity) + limits.warmup);
    contextSize = sizing.contextSize;
    sized = ', sized from the workload';
    if (sizing.capped) {
      emit({
        type: 'warning',
        message: `the longest requests may need ${sizing.needed} tokens of context; the embedded engine starts with ${contextSize} (set --ctx-size to go higher)`,
      });
    }
  }
  const { backend } = resolveBackend(engine.backend ?? 'auto');
  const detail = `${engine.modelPath ?? `preset ${engine.preset}`} on ${backend}${contextSize !== undefined ? `, context ${contextSize} tokens per sequence${sized}` : ''}`;
  emit({ type: 'phase', phase: 'starting-engine', detail });
  if (backend === 'node-llama-cpp' && (engine.backend ?? 'auto') === 'auto') {
    emit({ type: 'info', message: 'the embedded engine runs on node-llama-cpp (about half the speed of llama.cpp\'s own server); `inferscope build-engine` builds llama-server once for full speed' });
  }
  const server = await startEngineProcess({ ...engine, backend, ...(contextSize !== undefined ? { contextSize } : {}) });
  if (server.contextSize !== undefined && contextSize !== undefined && server.contextSize < contextSize) {
    // Asked for, it is a warning; sized from the workload (a bound on prompt bytes, well above its tokens), a fact.
    emit({
      type: engine.contextSize !== undefined ? 'warning' : 'info',
      message: `the model was trained on ${server.contextSize} tokens of context: the embedded engine serves ${server.contextSize} per sequence, not ${contextSize}${engine.contextSize !== undefined ? '; longer requests fail' : ''}`,
    });
  }
  const served = server.contextSize ?? contextSize;
  return {
    baseUrl: server.url,
    embedded: true,
    embeddedModel: server.modelId,
    backend: server.backend,
    ...(served !== undefined ? { contextSize: served } : {}),
    close: () => server.close(),
  };
}
