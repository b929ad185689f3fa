import { hostname } from 'node:os';
import type { EnvironmentFingerprint } from './types.js';

export interface EnvironmentInput {
  toolVersion: string;
  targetUrl: string;
  modelId: string | null;
  engine?: string | null;
  engineVersion?: string | null;
}

/**
 * The environment fingerprint stored with a run: tool and target facts plus this host's.
 * @example collectEnvironment({ toolVersion: '0.1.0', targetUrl: 'http://127.0.0.1:8000', modelId: 'qwen' })
 */
export function collectEnvironment(input: EnvironmentInput): EnvironmentFingerprint {
  return {
    tool_version: input.toolVersion,
    host: hostname(),
    target_url: input.targetUrl,
    model_id: input.modelId,
    engine: input.engine ?? null,
    engine_version: input.engineVersion ?? null,
    node_version: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
