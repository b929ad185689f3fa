import { ConfigError } from '../../config/errors.js';
import type { MonitorConfig } from './monitor-config.js';
import { parseMonitorConfig } from './load-config.js';
import { parseSpanMs } from './span.js';

/** What `monitor` takes on the command line in place of a configuration file: one target, one probe. */
export interface QuickTarget {
  url: string;
  model?: string;
  apiKeyEnv?: string;
  /** Between probes, e.g. "30s"; the configuration's default otherwise. */
  every?: string;
}

/**
 * The configuration of `monitor --url URL`: that target (named after its host and port) probed by one probe
 * (`default`) with the configuration file's defaults, its /metrics scraped when it has one, no SLO and no webhook.
 * Built as a configuration document and validated as a file would be, so the two cannot drift apart.
 * @example quickMonitorConfig({ url: 'http://127.0.0.1:8000/v1', every: '30s' }).targets[0].name // '127.0.0.1-8000'
 */
export function quickMonitorConfig(q: QuickTarget): MonitorConfig {
  let url: URL;
  try {
    url = new URL(q.url);
  } catch {
    throw new ConfigError('--url', `--url: not a URL: ${JSON.stringify(q.url)} (e.g. http://127.0.0.1:8000/v1)`);
  }
  // Checked here so that errors name the flags, not the configuration keys they become.
  if (!/^https?:$/.test(url.protocol)) throw new ConfigError('--url', `--url: must be an http:// or https:// URL, got ${JSON.stringify(q.url)}`);
  if (q.every !== undefined) parseSpanMs(q.every, '--every');
  if (q.apiKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(q.apiKeyEnv)) {
    throw new ConfigError('--api-key-env', `--api-key-env: an environment variable name, got ${JSON.stringify(q.apiKeyEnv)}`);
  }
  const name = `${url.hostname}-${url.port || (url.protocol === 'https:' ? '443' : '80')}`.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  const target = { name, url: q.url, ...(q.model ? { model: q.model } : {}), ...(q.apiKeyEnv ? { api_key_env: q.apiKeyEnv } : {}) };
  const probe = { name: 'default', ...(q.every ? { every: q.every } : {}) };
  return parseMonitorConfig(JSON.stringify({ targets: [target], probes: [probe] }), 'the command line');
}
