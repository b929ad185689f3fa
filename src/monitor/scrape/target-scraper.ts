import { Agent } from 'undici';
import { extractConcepts, fetchExposition, metricsUrlCandidates } from '../../server-metrics/index.js';
import type { ConceptValues } from '../../server-metrics/index.js';
import type { MonitorTarget } from '../config/monitor-config.js';

const SCRAPE_TIMEOUT_MS = 5_000;

export interface ScrapeOutcome {
  target: string;
  wallMs: number;
  ok: boolean;
  /** Concept -> value: gauges as read, counters and histogram sums/counts added up over series. */
  concepts: Record<string, number>;
  error?: string;
}

/** Flattens one scrape's concepts to numbers a gauge or a table can hold. */
export function flattenConcepts(v: ConceptValues): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, value] of Object.entries(v.gauges)) if (Number.isFinite(value)) out[k] = value as number;
  for (const [k, series] of Object.entries(v.counters)) out[`${k}_total`] = Object.values(series ?? {}).reduce((a, b) => a + b, 0);
  for (const [k, series] of Object.entries(v.histograms)) {
    const points = Object.values(series ?? {});
    out[`${k}_seconds_sum`] = points.reduce((a, p) => a + p.sum, 0);
    out[`${k}_seconds_count`] = points.reduce((a, p) => a + p.count, 0);
  }
  return out;
}

/**
 * Scrapes one target's expositions on its own timer (`scrape: auto` tries the URLs next to the OpenAI base URL
 * until one answers, then keeps it). Scrapes never overlap and never throw; each outcome goes to `onScrape`.
 */
export class TargetScraper {
  readonly #agent = new Agent({ connections: 2, keepAliveTimeout: 30_000 });
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #url: string | null;
  #stopped = false;

  constructor(
    readonly target: MonitorTarget,
    private readonly onScrape: (o: ScrapeOutcome) => void,
  ) {
    this.#url = target.scrape === 'auto' || target.scrape === 'off' ? null : target.scrape;
  }

  get enabled(): boolean {
    return this.target.scrape !== 'off' || this.target.scrapeExtra.length > 0;
  }

  start(): void {
    if (!this.enabled) return;
    const tick = (): void => {
      if (this.#stopped) return;
      this.#running = this.scrapeOnce().finally(() => {
        this.#running = null;
        if (!this.#stopped) this.#timer = setTimeout(tick, this.target.scrapeEveryMs).unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    await this.#agent.close();
  }

  async scrapeOnce(): Promise<void> {
    const wallMs = Date.now();
    const urls = this.target.scrape === 'off' ? [] : this.#url ? [this.#url] : metricsUrlCandidates(this.target.url);
    const concepts: Record<string, number> = {};
    let ok = false;
    let error: string | undefined;
    for (const url of urls) {
      const r = await fetchExposition(url, { dispatcher: this.#agent, timeoutMs: SCRAPE_TIMEOUT_MS, headers: this.target.headers });
      if (r.ok && r.families) {
        Object.assign(concepts, flattenConcepts(extractConcepts(r.families).total));
        if (this.target.scrape === 'auto') this.#url = url;
        ok = true;
        break;
      }
      error = r.error ?? `HTTP ${r.status}`;
    }
    for (const url of this.target.scrapeExtra) {
      const r = await fetchExposition(url, { dispatcher: this.#agent, timeoutMs: SCRAPE_TIMEOUT_MS });
      if (r.ok && r.families) Object.assign(concepts, flattenConcepts(extractConcepts(r.families).total));
      else error ??= r.error;
    }
    this.onScrape({ target: this.target.name, wallMs, ok: ok || (urls.length === 0 && error === undefined), concepts, ...(error && !ok ? { error } : {}) });
  }
}
