import { ConfigError } from '../config/errors.js';
import { loadMonitorConfig, resolveApiKeys } from './config/load-config.js';
import { quickMonitorConfig, type QuickTarget } from './config/quick-config.js';
import { STARTER_URL, starterMonitorConfig } from './config/starter-config.js';
import type { MonitorConfig } from './config/monitor-config.js';
import { startMonitor } from './monitor.js';

export interface MonitorCommandOptions {
  /** The configuration file; without it, `url` (else $OPENAI_BASE_URL) makes a one-target configuration. */
  config?: string;
  url?: string;
  model?: string;
  every?: string;
  apiKeyEnv?: string;
  check: boolean;
  /** Print a commented starter configuration for `url` (else a placeholder) and return. */
  printConfig?: boolean;
  location?: string;
  listen?: { host: string; port: number };
  store?: string;
  otlpEndpoint?: string;
  authTokenEnv?: string;
}

/**
 * `inferscope monitor`: validates the configuration (and that every named key variable is set), then with
 * `check` reports and returns; otherwise monitors until SIGINT/SIGTERM, draining probes in flight.
 */
export async function monitorCommand(o: MonitorCommandOptions): Promise<void> {
  if (o.location !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.location)) {
    throw new ConfigError('--location', `--location: use letters, digits, ".", "_" or "-", got ${JSON.stringify(o.location)}`);
  }
  if (o.printConfig) {
    if (o.config) throw new ConfigError('--print-config', `--print-config writes a file to start from; it does not read ${o.config} (--check validates one)`);
    process.stdout.write(starterMonitorConfig(quickTarget(o, o.url ?? (process.env['OPENAI_BASE_URL'] || STARTER_URL))));
    return;
  }
  const config = loadConfig(o);
  if (o.store) config.store = o.store;
  if (o.otlpEndpoint) {
    if (!/^https?:\/\//.test(o.otlpEndpoint)) throw new ConfigError('--otlp-endpoint', `--otlp-endpoint: an http(s) URL, e.g. http://127.0.0.1:4318/v1/metrics, got ${JSON.stringify(o.otlpEndpoint)}`);
    config.otlp = { endpoint: o.otlpEndpoint, everyMs: config.otlp?.everyMs ?? 15_000 };
  }
  const apiKeys = resolveApiKeys(config);
  if (o.check) {
    const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
    process.stdout.write(
      `${o.config ?? 'the command line'}: ok (${n(config.targets.length, 'target')}, ${n(config.probes.length, 'probe')}, ${n(config.slos.length, 'SLO')}, ${n(config.alerts.webhooks.length, 'webhook')})\n`,
    );
    return;
  }
  let authToken: string | undefined;
  if (o.authTokenEnv) {
    authToken = process.env[o.authTokenEnv];
    if (!authToken) throw new ConfigError('--auth-token-env', `--auth-token-env: the variable ${o.authTokenEnv} is not set or empty`);
  }
  const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const monitor = await startMonitor(config, {
    apiKeys,
    log,
    ...(o.location ? { location: o.location } : {}),
    ...(o.listen ? { listen: o.listen } : {}),
    ...(authToken ? { authToken } : {}),
  });
  process.stdout.write(`inferscope monitor listening on ${monitor.url} (dashboard at ${monitor.url}/${authToken ? '#token=<token>' : ''})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log('stopping: waiting for probes in flight');
      void monitor.close({ drain: true }).then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function loadConfig(o: MonitorCommandOptions, env: NodeJS.ProcessEnv = process.env): MonitorConfig {
  const quick = { url: '--url', model: '--model', every: '--every', apiKeyEnv: '--api-key-env' } as const;
  if (o.config !== undefined) {
    const given = (Object.keys(quick) as Array<keyof typeof quick>).find((k) => o[k] !== undefined);
    if (given) throw new ConfigError(quick[given], `${quick[given]} is for a monitor without --config; set it in ${o.config}`);
    return loadMonitorConfig(o.config);
  }
  const url = o.url ?? env.OPENAI_BASE_URL;
  if (!url) throw new ConfigError('--config', 'monitor needs --config FILE (targets, probes, SLOs, alerts; see the README) or --url URL (one target, one default probe)');
  return quickMonitorConfig(quickTarget(o, url));
}

/** The one target of `--url` with the flags that go with it. */
function quickTarget(o: MonitorCommandOptions, url: string): QuickTarget {
  return { url, ...(o.model ? { model: o.model } : {}), ...(o.apiKeyEnv ? { apiKeyEnv: o.apiKeyEnv } : {}), ...(o.every ? { every: o.every } : {}) };
}
