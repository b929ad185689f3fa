import type { ApiKind } from '../../client/types.js';

/** One endpoint the monitor watches. */
export interface MonitorTarget {
  name: string;
  /** OpenAI base URL including /v1, without a trailing slash. */
  url: string;
  /** null: the first model the target's /models lists. */
  model: string | null;
  api: ApiKind;
  /** Environment variable holding the API key; the key is read at start and kept out of the config. */
  apiKeyEnv: string | null;
  headers: Record<string, string>;
  labels: Record<string, string>;
  scrape: 'auto' | 'off' | string;
  scrapeExtra: string[];
  scrapeEveryMs: number;
}

/** A small benchmark sent to each of its targets on a schedule. */
export interface MonitorProbe {
  name: string;
  everyMs: number;
  inputTokens: number;
  outputTokens: number;
  timeoutMs: number;
  targets: '*' | string[];
}

export interface MonitorSlo {
  name: string;
  targets: '*' | string[];
  probe: string;
  ttftMs: number | null;
  tpotMs: number | null;
  e2eMs: number | null;
  /** Share of probes that must be good over the window, e.g. 0.99. */
  objective: number;
  windowMs: number;
}

/** alerts.regression: compare the latest window of probes with the stretch before it. */
export interface RegressionConfig {
  windowMs: number;
  baselineMs: number;
  /** Compare metric keys, e.g. ttft_p50, e2e_p90. */
  metrics: string[];
  minProbes: number;
  thresholdPct: number;
  everyMs: number;
}

export interface Webhook {
  url: string;
  format: 'json' | 'slack';
}

/** A validated monitor configuration with every default applied. */
export interface MonitorConfig {
  /** Where it was read from, for messages. */
  source: string;
  listen: { host: string; port: number };
  store: string;
  /** PostgreSQL URL probes and scrapes are copied to (several locations into one); absent: this instance only. */
  sharedStore?: string;
  /** OTLP/HTTP metrics endpoint (e.g. http://127.0.0.1:4318/v1/metrics) and export interval. */
  otlp?: { endpoint: string; everyMs: number };
  location: string;
  retentionMs: number;
  jitter: number;
  targets: MonitorTarget[];
  probes: MonitorProbe[];
  slos: MonitorSlo[];
  alerts: { webhooks: Webhook[]; failing: { k: number; n: number }; minProbes: number; locations?: number; regression?: RegressionConfig };
}

/** The probes that run against a target. */
export function probesOf(config: MonitorConfig, target: string): MonitorProbe[] {
  return config.probes.filter((p) => selects(p.targets, target));
}

export function selects(selector: '*' | string[], name: string): boolean {
  return selector === '*' || selector.includes(name);
}
