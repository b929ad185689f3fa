/** What the monitor's HTTP server and its routes share (kept apart so neither imports the other). */
import type { ServerResponse } from 'node:http';
import type { MonitorConfig } from '../config/monitor-config.js';
import type { MonitorMetrics } from '../metrics/monitor-metrics.js';
import type { SloTracker } from '../slo/slo-tracker.js';
import type { AlertManager } from '../alerts/alert-manager.js';
import type { RecentProbes } from '../state/recent-probes.js';
import type { MonitorStore } from '../store/monitor-store.js';
import type { LocationProbes } from '../store/shared-replicator.js';

export interface MonitorServerDeps {
  config: MonitorConfig;
  location: string;
  store: MonitorStore;
  metrics: MonitorMetrics;
  recent: RecentProbes;
  slos: SloTracker;
  alerts: AlertManager;
  /** When set, /api and /metrics answer only requests carrying `Authorization: Bearer <token>`. */
  authToken: string | null;
  /** Every location's latest probes from the shared store; null without one (or before its first read). */
  locations: () => LocationProbes[] | null;
}

/** A route answers with a JSON-able value, or writes the response itself and returns undefined. */
export type Route = (url: URL, res: ServerResponse) => unknown | Promise<unknown>;

/** An error a route throws for a bad query (answered 400 with the message). */
export class BadRequest extends Error {
  readonly status = 400;
}
