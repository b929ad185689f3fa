import { writeFileSync } from 'node:fs';
import type { Clock } from '../measure/clock.js';
import {
  crossCheck,
  detectEngines,
  detectMetricsUrl,
  startScraper,
  summarizeServerMetrics,
  type CrossCheck,
  type ScrapeRecord,
  type Scraper,
  type ServerSummary,
} from '../server-metrics/index.js';
import type { RunSummary } from '../stats/summary.js';
import type { ServerSample } from '../store/types.js';
import type { BenchmarkListener } from './events.js';
import type { ValidatedOptions } from './options.js';

export type ServerResults = ServerSummary & { cross_check: CrossCheck | null };

/**
 * The server-side view of a run: scrapes the server's /metrics (given URLs, or the target's own when it answers)
 * before the first request, on a timer while the load runs, at the start of the measured phase, and once after
 * the last request, so window deltas are exact. A failed scrape is recorded, never fatal.
 */
export interface ServerView {
  readonly urls: string[];
  engines(): string[];
  /** Marks the start of the measured phase (after warm-up): scrapes at once so warm-up tokens stay out. */
  markMeasuringStart(): void;
  /** Final scrape; the summary over the measured window, or null when nothing was scraped. */
  finish(window: { start: number; end: number }): Promise<ServerSummary | null>;
  /** Adds the client-vs-server cross-check to the server summary. */
  withCrossCheck(server: ServerSummary, client: RunSummary): ServerResults;
  writeSamples(path: string): void;
  rawSamples(): ServerSample[];
  stop(): Promise<void>;
}

export async function startServerView(
  o: ValidatedOptions,
  baseUrl: string,
  clock: Clock,
  emit: BenchmarkListener,
): Promise<ServerView> {
  let urls: string[] = [];
  let engines: string[] = [];
  if (o.scrape) {
    urls = [...o.scrapeUrls];
    if (urls.length === 0) {
      const found = await detectMetricsUrl(baseUrl, { timeoutMs: 3000 }).catch(() => undefined);
      if (found) urls.push(found);
    }
  }
  if (urls.length === 0) return nullView();

  const scraper: Scraper = startScraper({
    urls,
    intervalMs: o.scrapeIntervalS * 1000,
    clock,
    timeoutMs: Math.max(1000, Math.min(5000, o.scrapeIntervalS * 1000)),
  });
  // The first scrape must land before the first request; it also tells which engines are there.
  engines = engineIds(await scraper.ready());
  let scrapes: ScrapeRecord[] = [];
  let measuringStartScrape: Promise<void> | null = null;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    scrapes = (await scraper.stop()).scrapes;
  };
  return {
    urls,
    engines: () => engines,
    markMeasuringStart() {
      measuringStartScrape = scraper.scrapeNow();
    },
    async finish(window) {
      await measuringStartScrape;
      await stop();
      const failed = scrapes.filter((s) => !s.ok);
      if (failed.length > 0) {
        emit({ type: 'warning', message: `${failed.length} of ${scrapes.length} scrapes failed (first: ${failed[0]!.url}: ${failed[0]!.error ?? failed[0]!.status})` });
      }
      if (!scrapes.some((s) => s.ok)) return null;
      // Start at the last scrape taken at or before the measured phase began (the pre-run scrape without warm-up).
      const before = scrapes.filter((s) => s.ok && s.start_ms <= window.start);
      const start = measuringStartScrape ? window.start : (before[before.length - 1]?.t_ms ?? window.start);
      return summarizeServerMetrics(scrapes, { start_ms: start });
    },
    withCrossCheck(server, client) {
      const check = crossCheck(server, {
        clientPromptTokens: client.tokens.input.total + client.tokens.failed.input,
        clientOutputTokens: client.tokens.output.total + client.tokens.failed.output,
        ...(client.ttft_ms.mean !== null ? { clientTtftMeanMs: client.ttft_ms.mean } : {}),
        ...(client.e2e_ms.mean !== null ? { clientE2eMeanMs: client.e2e_ms.mean } : {}),
        clientRequests: client.requests.succeeded,
      });
      return { ...server, cross_check: check };
    },
    writeSamples(path) {
      writeFileSync(path, scrapes.map((s) => JSON.stringify(s)).join('\n') + (scrapes.length ? '\n' : ''));
    },
    rawSamples: () => scrapes.map((s) => ({ t_ms: s.t_ms, source: s.url, payload: s })),
    stop,
  };
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
  return {
    urls: [],
    engines: () => [],
    markMeasuringStart() {},
    finish: async () => null,
    withCrossCheck: (server) => ({ ...server, cross_check: null }),
    writeSamples() {},
    rawSamples: () => [],
    stop: async () => {},
  };
}
