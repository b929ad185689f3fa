import { Agent } from 'undici';
import type { Clock } from '../measure/clock.js';
import { fetchExposition, type FetchResult } from './fetch-exposition.js';
import type { MetricFamily } from './parse/types.js';

export interface ScraperOptions {
  urls: string[];
  intervalMs: number;
  /** A shorter interval for the first fastForMs after start (see scrapeCadence): short runs get enough samples. */
  fastIntervalMs?: number;
  fastForMs?: number;
  clock: Clock;
  timeoutMs: number;
  headers?: Record<string, string>;
}

/** One scrape of one URL. Times are ms on the run clock. */
export interface ScrapeRecord {
  url: string;
  /** The moment the values represent: midpoint of sending the request and receiving the response headers. */
  t_ms: number;
  start_ms: number;
  /** Request start to body fully read. */
  duration_ms: number;
  ok: boolean;
  status?: number;
  error?: string;
  bytes?: number;
  /** Time spent parsing, to show the scraper's own cost. */
  parse_ms?: number;
  content_type?: string;
  families?: MetricFamily[];
}

export interface ScrapeLog {
  scrapes: ScrapeRecord[];
}

export interface Scraper {
  /** Resolves with the first round's scrapes (taken at start) once they are done. Never rejects. */
  ready(): Promise<ScrapeRecord[]>;
  /** Scrapes every URL now (after any round in progress); resolves when done. Never rejects. */
  scrapeNow(): Promise<void>;
  /** Every scrape kept so far, in time order. */
  scrapes(): ScrapeRecord[];
  /** Forgets scrapes taken before `tMs` (a long session keeps only what its current step needs). */
  discardBefore(tMs: number): void;
  /** Stops the timer, waits for the round in progress, scrapes a last time and returns every scrape kept. */
  stop(): Promise<ScrapeLog>;
}

function toRecord(url: string, r: FetchResult): ScrapeRecord {
  const rec: ScrapeRecord = {
    url,
    t_ms: (r.start_ms + r.headers_ms) / 2,
    start_ms: r.start_ms,
    duration_ms: r.end_ms - r.start_ms,
    ok: r.ok,
  };
  if (r.status !== undefined) rec.status = r.status;
  if (r.error !== undefined) rec.error = r.error;
  if (r.bytes !== undefined) rec.bytes = r.bytes;
  if (r.parse_ms !== undefined) rec.parse_ms = r.parse_ms;
  if (r.content_type !== undefined) rec.content_type = r.content_type;
  if (r.families !== undefined) rec.families = r.families;
  return rec;
}

/**
 * Scrapes Prometheus endpoints during a run: once immediately, then every `intervalMs` (`fastIntervalMs` during
 * the first `fastForMs`) on a setTimeout chain (a round never overlaps the next), through its own small connection pool so it does not share sockets with
 * the benchmark. Failures are recorded, never thrown.
 *
 * @example
 * const scraper = startScraper({ urls: ['http://127.0.0.1:8000/metrics'], intervalMs: 1000, clock, timeoutMs: 2000 });
 * // ... run the benchmark ...
 * const log = await scraper.stop();
 */
export function startScraper(options: ScraperOptions): Scraper {
  if (options.urls.length === 0) throw new RangeError('startScraper: urls is empty');
  if (!(options.intervalMs > 0)) throw new RangeError(`startScraper: intervalMs must be > 0, got ${options.intervalMs}`);
  if (!(options.timeoutMs > 0)) throw new RangeError(`startScraper: timeoutMs must be > 0, got ${options.timeoutMs}`);
  if (options.fastIntervalMs !== undefined && !(options.fastIntervalMs > 0)) {
    throw new RangeError(`startScraper: fastIntervalMs must be > 0, got ${options.fastIntervalMs}`);
  }
  const { clock } = options;
  const startedAt = clock.now();
  const intervalAt = (now: number): number =>
    options.fastIntervalMs !== undefined && now - startedAt < (options.fastForMs ?? 0)
      ? Math.min(options.fastIntervalMs, options.intervalMs)
      : options.intervalMs;
  const agent = new Agent({ connections: 2, keepAliveTimeout: Math.max(options.intervalMs * 2, 4000), pipelining: 1 });
  const scrapes: ScrapeRecord[] = [];
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const round = async (): Promise<void> => {
    const results = await Promise.all(
      options.urls.map(async (url) => {
        const fetchOptions = { dispatcher: agent, timeoutMs: options.timeoutMs, now: () => clock.now() };
        return toRecord(url, await fetchExposition(url, options.headers ? { ...fetchOptions, headers: options.headers } : fetchOptions));
      }),
    );
    scrapes.push(...results);
    firstRound ??= results;
  };
  let firstRound: ScrapeRecord[] | undefined;
  const sorted = (): ScrapeRecord[] => [...scrapes].sort((a, b) => a.t_ms - b.t_ms);
  const runRound = (): Promise<void> => {
    chain = chain.then(round, round);
    return chain;
  };
  const tick = async (): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    const started = clock.now();
    await runRound();
    if (stopped) return;
    timer = setTimeout(() => void tick(), Math.max(0, intervalAt(started) - (clock.now() - started)));
    timer.unref();
  };
  void tick();
  // tick() queued the first round synchronously: `chain` is that round now.
  const first = chain.then(() => firstRound ?? []);

  return {
    ready: () => first,
    scrapeNow: runRound,
    scrapes: sorted,
    discardBefore(tMs) {
      const kept = scrapes.filter((s) => s.t_ms >= tMs);
      scrapes.length = 0;
      scrapes.push(...kept);
    },
    async stop(): Promise<ScrapeLog> {
      if (!stopped) {
        stopped = true;
        if (timer) clearTimeout(timer);
        await runRound();
        await agent.close();
      }
      return { scrapes: sorted() };
    },
  };
}
