import type { CrossCheck } from './cross-check.js';
import type { ServerSummary } from './server-summary.js';

/** results.json's `server` section: the server's own view of a run's window, checked against the client. */
export type ServerResults = ServerSummary & { cross_check: CrossCheck | null };
