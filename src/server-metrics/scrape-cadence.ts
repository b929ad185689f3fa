/**
 * How often to scrape. A gauge's mean needs samples taken while the load runs: at one scrape a second, a
 * one-second run gets the scrape before it, the one after it and perhaps one between, all of them near idle.
 * So the scraper starts fast and slows down once the run has lasted long enough to have plenty.
 */

/** Scraper timing, spread into ScraperOptions. */
export interface ScrapeCadence {
  /** Steady interval. */
  intervalMs: number;
  /** Interval during the first fastForMs of scraping, when shorter than intervalMs. */
  fastIntervalMs?: number;
  fastForMs?: number;
}

/** Fast interval: four samples a second, a few ms of parsing each (a 1 MB exposition parses in ~10 ms). */
export const FAST_SCRAPE_INTERVAL_MS = 250;
/** How long the fast interval lasts: 40 samples, enough for a mean; a run longer than this has more anyway. */
export const FAST_SCRAPE_PHASE_MS = 10_000;
/** A run known to last this many steady intervals gets enough samples without the fast phase. */
const ENOUGH_INTERVALS = 20;

export interface CadenceInput {
  /** Steady interval when the user chose none (the option's default), seconds. */
  defaultIntervalS: number;
  /** The interval the user asked for, seconds: used as given, throughout. */
  userIntervalS?: number;
  /** Run bounds, when known: --duration, or --requests at a fixed --rate. */
  durationS?: number;
  requests?: number;
  rate?: number;
}

/**
 * Picks the scrape cadence for a run: the user's interval when given; otherwise the default, preceded by
 * FAST_SCRAPE_PHASE_MS at FAST_SCRAPE_INTERVAL_MS unless the run is known to last at least 20 intervals.
 * A run bounded by a request count at a fixed concurrency has no known length: it starts fast.
 *
 * @example scrapeCadence({ defaultIntervalS: 1, requests: 32 }) // { intervalMs: 1000, fastIntervalMs: 250, fastForMs: 10000 }
 * @example scrapeCadence({ defaultIntervalS: 1, durationS: 60 }) // { intervalMs: 1000 }
 */
export function scrapeCadence(input: CadenceInput): ScrapeCadence {
  if (input.userIntervalS !== undefined) return { intervalMs: input.userIntervalS * 1000 };
  const intervalMs = input.defaultIntervalS * 1000;
  const expectedS = input.durationS ?? (input.rate && input.requests ? input.requests / input.rate : undefined);
  if (intervalMs <= FAST_SCRAPE_INTERVAL_MS) return { intervalMs };
  if (expectedS !== undefined && expectedS * 1000 >= ENOUGH_INTERVALS * intervalMs) return { intervalMs };
  return { intervalMs, fastIntervalMs: FAST_SCRAPE_INTERVAL_MS, fastForMs: FAST_SCRAPE_PHASE_MS };
}
