import type { EngineBackend } from '../engine/backend.js';
import type { ClientConfig } from '../client/types.js';
import type { ServerInfo } from '../client/index.js';
import type { Clock } from '../measure/clock.js';
import type { RunStore } from '../store/types.js';
import type { Workload } from '../workload/spec.js';
import type { Calibration } from '../workload/calibrate.js';
import type { EventBus } from './events.js';
import type { BenchmarkConfig } from './resolve-config.js';
import type { ServerView } from './server-view.js';

export interface SessionTarget {
  url: string;
  model: string;
  embedded: boolean;
  metricsUrls: string[];
  info: ServerInfo;
  /** Engine ids from /metrics, or the server's own word for itself. */
  engine: string | null;
  /** What ran the embedded engine, when embedded. */
  backend?: EngineBackend;
}

/** What a step needs from its session (see step.ts). */
export interface SessionContext {
  config: BenchmarkConfig;
  target: SessionTarget;
  clock: Clock;
  bus: EventBus;
  workload: Workload;
  clientConfig: ClientConfig;
  serverView: ServerView;
  store: RunStore | null;
  secrets: string[];
  /** Steps started so far (the next step's index). */
  steps: number;
  /**
   * Workload specs used by earlier steps: a step's request i takes spec(specBase + i), so no step of a session
   * resends an earlier step's prompts (which a server's prefix cache would answer).
   */
  specBase: number;
  /** Synthetic prompt lengths calibrated on the server's tokenizer, when it has one. */
  calibration: Calibration | null;
}
