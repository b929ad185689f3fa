import { writeFileSync } from 'node:fs';
import type { Clock } from '../measure/clock.js';
import { DEFAULTS } from '../config/defaults.js';
import {
  crossCheck,
  detectEngines,
  probeMetricsUrl,
  scrapeCadence,
  startScraper,
  type MetricsProbe,
  summarizeServerMetrics,
  type ScrapeRecord,
  type Scraper,
  type ServerResults,
} from '../server-metrics/index.js';
import type { RunSummary } from '../stats/summary.js';
import type { ServerSample } from '../store/types.js';
import type { BenchmarkListener } from './events.js';

/**
 * The server-side view of a session: one scraper of the server's /metrics (given URLs, or the target's own when it
 * answers) runs for the whole session; each step opens a window with a scrape before its first request, scrapes
 * again when its measured phase starts (after warm-up) and once after its last request, so window deltas are
 * exact. A failed scrape is recorded, never fatal.
 */
export interface ServerView {
  readonly urls: string[];
  engines(): string[];
  /** Scrapes now and opens a step's window at that scrape. */
  beginStep(): Promise<StepServerView>;
  stop(): Promise<void>;
}

export interface StepServerView {
  /** The measured phase starts (after warm-up): scrapes at once so warm-up tokens stay out of the window. */
  /** Scrapes the baseline of the measured window; resolves when it is taken (before any measured request). */
  markMeasuringStart(): Promise<void>;
  /** Final scrape; the step's server results over the measured window (null when nothing was scraped), and its raw scrapes. */
  finish(window: { start: number; end: number }, client: RunSummary): Promise<{ server: ServerResults | null; scrapes: ScrapeRecord[] }>;
}

export interface ServerViewOptions {
  scrape: boolean;
  scrapeUrls: string[];
  /** The interval the user asked for; undefined: the default, faster at first (see scrapeCadence). */
  scrapeIntervalS?: number | undefined;
  /** The first step's bounds, for the scrape cadence. */
  durationS?: number | undefined;
  requests?: number | undefined;
  rate?: number | undefined;
}

/** Where the metrics are: the given URLs, the target's own /metrics, or why there is none. */
export type MetricsLocation = { urls: string[] } | { urls: []; missing: Extract<MetricsProbe, { found: false }> };

/** Finds the metrics endpoints of a session (auto-detection asks the target's /metrics). */
export async function locateMetrics(o: ServerViewOptions, baseUrl: string): Promise<MetricsLocation> {
  if (!o.scrape) return { urls: [] };
  if (o.scrapeUrls.length > 0) return { urls: [...o.scrapeUrls] };
  const probe = await probeMetricsUrl(baseUrl, { timeoutMs: 3000 });
  return probe.found ? { urls: [probe.url] } : { urls: [], missing: probe };
}

export async function startServerView(o: ServerViewOptions, urls: string[], clock: Clock, emit: BenchmarkListener): Promise<ServerView> {
  if (urls.length === 0) return nullView();
  const cadence = scrapeCadence({
    defaultIntervalS: DEFAULTS.scrapeIntervalS,
    ...(o.scrapeIntervalS !== undefined ? { userIntervalS: o.scrapeIntervalS } : {}),
    ...(o.durationS !== undefined ? { durationS: o.durationS } : {}),
    ...(o.requests !== undefined ? { requests: o.requests } : {}),
    ...(o.rate !== undefined ? { rate: o.rate } : {}),
  });
  const scraper: Scraper = startScraper({
    urls,
    ...cadence,
    clock,
    timeoutMs: Math.max(1000, Math.min(5000, cadence.intervalMs)),
  });
  // The first scrape tells which engines are there (for the run's fingerprint).
  const engines = engineIds(await scraper.ready());
  return {
    urls,
    engines: () => engines,
    async beginStep() {
      await scraper.scrapeNow();
      // Only the scrapes of this step are kept from here on: the one just taken opens its window.
      const opened = scraper.scrapes();
      scraper.discardBefore(opened[opened.length - 1]?.t_ms ?? clock.now());
      return stepView(scraper, emit);
    },
    stop: async () => {
      await scraper.stop();
    },
  };
}

function stepView(scraper: Scraper, emit: BenchmarkListener): StepServerView {
  let measuringStartScrape: Promise<void> | null = null;
  return {
    markMeasuringStart() {
      measuringStartScrape = scraper.scrapeNow();
      return measuringStartScrape;
    },
    async finish(window, client) {
      await measuringStartScrape;
      await scraper.scrapeNow();
      const scrapes = scraper.scrapes();
      const failed = scrapes.filter((s) => !s.ok);
      if (failed.length > 0) {
        emit({ type: 'warning', message: `${failed.length} of ${scrapes.length} scrapes failed (first: ${failed[0]!.url}: ${failed[0]!.error ?? failed[0]!.status})` });
      }
      if (!scrapes.some((s) => s.ok)) return { server: null, scrapes };
      // Start at the last scrape taken at or before the measured phase began: after a warm-up, the baseline scrape
      // taken once it settled and before the first measured request was sent.
      const before = scrapes.filter((s) => s.ok && s.t_ms <= window.start);
      const start = before[before.length - 1]?.t_ms ?? window.start;
      const summary = summarizeServerMetrics(scrapes, { start_ms: start });
      const check = crossCheck(summary, {
        clientPromptTokens: comparablePromptTokens(client),
        clientOutputTokens: client.tokens.output.total + client.tokens.failed.output,
        ...(client.ttft_ms.mean !== null ? { clientTtftMeanMs: client.ttft_ms.mean } : {}),
        ...(client.e2e_ms.mean !== null ? { clientE2eMeanMs: client.e2e_ms.mean } : {}),
        clientRequests: client.requests.succeeded,
      });
      return { server: { ...summary, cross_check: check }, scrapes };
    },
  };
}

/** Raw scrapes as the store keeps them. */
export function serverSamples(scrapes: readonly ScrapeRecord[]): ServerSample[] {
  return scrapes.map((s) => ({ t_ms: s.t_ms, source: s.url, payload: s }));
}

export function writeServerSamples(path: string, scrapes: readonly ScrapeRecord[]): void {
  writeFileSync(path, scrapes.map((s) => JSON.stringify(s)).join('\n') + (scrapes.length ? '\n' : ''));
}

/** Engines the /metrics endpoints reveal, known before the run starts (for the run's fingerprint). */
function engineIds(scrapes: readonly ScrapeRecord[]): string[] {
  const ids = new Set<string>();
  for (const r of scrapes) {
    for (const e of r.families ? detectEngines(r.families) : []) ids.add(e.variant ? `${e.id}-${e.variant}` : e.id);
  }
  return [...ids];
}

function nullView(): ServerView {
  const step: StepServerView = { markMeasuringStart: async () => {}, finish: async () => ({ server: null, scrapes: [] }) };
  return { urls: [], engines: () => [], beginStep: async () => step, stop: async () => {} };
}

/**
 * The client's prompt tokens to set beside the server's counter: the server's own usage counts where it gave
 * them (succeeded and failed requests alike); only when it gave none, the client's estimates. Never a sum of both.
 */
function comparablePromptTokens(client: RunSummary): number {
  const by = client.tokens.input_by_source;
  if (!by) return client.tokens.input.total + client.tokens.failed.input;
  if (by.usage) return by.usage.tokens;
  return Object.values(by).reduce((sum, t) => sum + t.tokens, 0);
}
