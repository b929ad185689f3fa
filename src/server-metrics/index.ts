/** Server-side metrics: exposition parsing, engine profiles, scraping and window aggregation. */
export { parseExposition, resolveFormat, type ParseOptions } from './parse/parse-exposition.js';
export { parseGoFloat } from './parse/go-float.js';
export { ParseError } from './parse/parse-error.js';
export type { Exemplar, ExpositionFormat, Labels, MetricFamily, MetricType, Sample } from './parse/types.js';
export { detectEngines, extractConcepts, ENGINE_PROFILES } from './engines/extract.js';
export type {
  ConceptSnapshot,
  ConceptValues,
  CounterConcept,
  DetectedEngine,
  EngineId,
  GaugeConcept,
  HistogramConcept,
  HistogramPoint,
} from './engines/concepts.js';
export { counterIncrease, histogramQuantile, locateQuantile, type Bucket, type IncreaseOptions, type Point, type QuantileLocation } from './promql.js';
export { quantileSupport, RESOLVED_BUCKET_RATIO } from './histogram-window.js';
export { gaugeStats, GAUGE_MIN_SAMPLES, mergeStepSeries, percentile, type GaugeStats } from './series-stats.js';
export { summarizeServerMetrics, type ScrapeInput, type WindowOptions } from './window.js';
export type { LatencyStats, QuantileSupport, ServerConceptSummary, ServerSummary } from './server-summary.js';
export { CACHE_SHARE_NOTE, crossCheck, type ClientFigures, type CrossCheck, type TokenMatch } from './cross-check.js';
export type { ServerResults } from './server-results.js';
export { promptCacheUse, type PromptCacheUse } from './cache-use.js';
export { FAST_SCRAPE_INTERVAL_MS, FAST_SCRAPE_PHASE_MS, scrapeCadence, type CadenceInput, type ScrapeCadence } from './scrape-cadence.js';
export { startScraper, type ScrapeLog, type ScrapeRecord, type Scraper, type ScraperOptions } from './scraper.js';
export {
  detectMetricsUrl,
  metricsUrlCandidates,
  noMetricsNote,
  probeMetricsUrl,
  type MetricsAttempt,
  type MetricsProbe,
  type MetricsServerHint,
} from './detect-metrics-url.js';
export { fetchExposition, METRICS_ACCEPT, type FetchOptions, type FetchResult } from './fetch-exposition.js';
