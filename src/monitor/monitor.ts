import { ConfigError } from '../config/errors.js';
import { createClock, type Clock } from '../measure/clock.js';
import { probesOf, type MonitorConfig } from './config/monitor-config.js';
import { resolveApiKeys } from './config/load-config.js';
import { MonitorMetrics } from './metrics/monitor-metrics.js';
import { probeResult, type ProbeResult } from './probe/probe-result.js';
import { TargetProber } from './probe/target-prober.js';
import { ProbeScheduler } from './schedule/probe-scheduler.js';
import { TargetScraper, type ScrapeOutcome } from './scrape/target-scraper.js';
import { RecentProbes } from './state/recent-probes.js';
import { MonitorStore } from './store/monitor-store.js';
import { applyRetention } from './store/retention.js';
import { SharedReplicator, type LocationProbes } from './store/shared-replicator.js';
import { startMonitorServer, type MonitorServer } from './http/monitor-server.js';
import { AlertManager } from './alerts/alert-manager.js';
import { regressionCheck } from './alerts/regression-check.js';
import { SloTracker } from './slo/slo-tracker.js';

/** How often probes and scrapes are copied to the shared store (the local store buffers between copies). */
const SHARED_COPY_EVERY_MS = 1000;
/** How often old raw rows are rolled up. */
const RETENTION_EVERY_MS = 3_600_000;
/** How far back /api/locations and the locations alert look in the shared store. */
const LOCATIONS_WINDOW_MS = 3_600_000;

export interface MonitorOptions {
  /** API keys by target name; default: read from the environment variables the configuration names. */
  apiKeys?: Map<string, string>;
  /** Overrides of the configuration (the CLI's --location, --listen). */
  location?: string;
  listen?: { host: string; port: number };
  /** Progress lines (started, target down, alert fired); never carries a key. */
  log?: (line: string) => void;
  /** Random numbers for the schedule's jitter (tests fix it). */
  random?: () => number;
  /** Bearer token /api and /metrics require; needed to listen on anything but loopback. */
  authToken?: string;
}

export type ProbeListener = (p: ProbeResult) => void;

/** A running monitor: probes on schedule, scrapes, store, metrics, SLOs, alerts and its own HTTP server. */
export interface Monitor {
  readonly config: MonitorConfig;
  readonly location: string;
  /** Base URL of the monitor's own HTTP server, e.g. http://127.0.0.1:9464 */
  readonly url: string;
  readonly store: MonitorStore;
  /** Copies probes and scrapes to the shared store, when the configuration names one. */
  readonly shared: SharedReplicator | null;
  readonly metrics: MonitorMetrics;
  readonly clock: Clock;
  /** Called after each probe is stored. Returns an unsubscribe function. */
  onProbe(listener: ProbeListener): () => void;
  /** Stops probing; in-flight probes finish (drain) or are aborted; pending notifications stay stored. */
  close(options?: { drain: boolean }): Promise<void>;
}

/**
 * Starts monitoring as configured. Everything that can be wrong with the input (config, keys, the listen
 * address, the store) fails here, before the first probe.
 * @example
 * const monitor = await startMonitor(loadMonitorConfig('monitor.yaml'));
 * process.on('SIGTERM', () => void monitor.close());
 */
export async function startMonitor(config: MonitorConfig, options: MonitorOptions = {}): Promise<Monitor> {
  const location = options.location ?? config.location;
  const apiKeys = options.apiKeys ?? resolveApiKeys(config);
  const log = options.log ?? (() => undefined);
  const clock = createClock();
  const store = new MonitorStore(config.store);
  const metrics = new MonitorMetrics(location);
  const recent = new RecentProbes(Math.max(config.alerts.failing.n, 20));
  const listeners = new Set<ProbeListener>();
  const slos = new SloTracker(config, store, metrics, location);
  const alerts = new AlertManager({ config, store, metrics, location, log });

  const probers = new Map<string, TargetProber>();
  for (const t of config.targets) probers.set(t.name, new TargetProber(t, probesOf(config, t.name), clock, apiKeys.get(t.name)));

  const otlp = config.otlp ? await startOtlp(config, location) : null;
  const onProbeDone = (p: ProbeResult): void => {
    store.insertProbes([p]);
    metrics.observeProbe(p);
    otlp?.observe(p);
    const { record: _record, ...row } = p;
    recent.add(row);
    alerts.evaluate(row, recent, slos.observe(row));
    for (const l of listeners) l(p);
  };

  const scheduler = new ProbeScheduler({
    clock,
    jitter: config.jitter,
    ...(options.random ? { random: options.random } : {}),
    onLag: (_t, _p, lagMs) => metrics.observeLag(lagMs),
    onSkip: (t, p, reason) => metrics.observeSkip(t, p, reason),
    async run(due, signal) {
      const prober = probers.get(due.target)!;
      const record = await prober.send(due.probe, { index: due.index, t_sched: due.t_sched, signal });
      try {
        onProbeDone(probeResult(record, { target: due.target, probe: due.probe.name, location }));
      } catch (err) {
        log(`probe ${due.target}/${due.probe.name}: could not be recorded: ${(err as Error).message}`);
      }
    },
  });

  const scrapers = config.targets.map(
    (t) =>
      new TargetScraper(t, (o: ScrapeOutcome) => {
        metrics.observeScrape(o.target, o.ok, o.concepts);
        try {
          store.insertScrape({ target: o.target, location, wallMs: o.wallMs, ok: o.ok, concepts: o.concepts });
        } catch (err) {
          log(`scrape ${o.target}: could not be recorded: ${(err as Error).message}`);
        }
      }),
  );

  const shared = config.sharedStore
    ? new SharedReplicator(store, config.sharedStore, {
        everyMs: SHARED_COPY_EVERY_MS,
        log,
        onStatus: (st) => {
          metrics.sharedPending.set({ location, kind: 'probes' }, st.pendingProbes);
          metrics.sharedPending.set({ location, kind: 'scrapes' }, st.pendingScrapes);
          metrics.sharedUp.set({ location }, st.lastError === null ? 1 : 0);
        },
      })
    : null;

  // Every location's latest probes from the shared store: for /api/locations and the k-of-n locations alert.
  let locations: LocationProbes[] | null = null;
  let reading = false;
  const readLocations = async (): Promise<void> => {
    if (!shared || reading) return;
    reading = true;
    try {
      const rows = await shared.latestByLocation(Date.now() - LOCATIONS_WINDOW_MS, Math.max(config.alerts.failing.n, 20));
      if (rows) {
        locations = rows;
        alerts.evaluateLocations(rows, Date.now());
      }
    } finally {
      reading = false;
    }
  };
  const locationTimer = shared ? setInterval(() => void readLocations(), SHARED_COPY_EVERY_MS) : null;
  locationTimer?.unref();

  // Raw probes and scrapes older than the retention become hourly rollups: now and every hour.
  const retain = (): void => {
    try {
      const copied = shared ? { probes: store.replicationCursor('probes'), scrapes: store.replicationCursor('scrapes') } : null;
      const r = applyRetention(store, config.retentionMs, Date.now(), copied);
      if (r.probes + r.scrapes > 0) log(`retention: ${r.probes} probes and ${r.scrapes} scrapes older than ${Math.round(config.retentionMs / 86_400_000)} d rolled up into ${r.rollups} hourly rows`);
    } catch (err) {
      log(`retention: ${(err as Error).message}`);
    }
  };
  retain();
  const retentionTimer = setInterval(retain, RETENTION_EVERY_MS);
  retentionTimer.unref();

  // "Regressed against baseline", for every series, every alerts.regression.every.
  const regression = config.alerts.regression;
  const regressionTimer = regression
    ? setInterval(() => {
        for (const t of config.targets) {
          for (const p of probesOf(config, t.name)) {
            try {
              const r = regressionCheck(store, { target: t.name, probe: p.name, location }, Date.now(), regression);
              alerts.evaluateRegression({ target: t.name, probe: p.name }, r ? r.regressed : null, Date.now());
            } catch (err) {
              log(`regression check ${t.name}/${p.name}: ${(err as Error).message}`);
            }
          }
        }
      }, regression.everyMs)
    : null;
  regressionTimer?.unref();

  const listen = options.listen ?? config.listen;
  if (!isLoopback(listen.host) && !options.authToken) {
    store.close();
    throw new ConfigError('--auth-token-env', `listening on ${listen.host} exposes the API and /metrics beyond this machine: give --auth-token-env NAME (a variable holding a token) or listen on 127.0.0.1`);
  }
  let server: MonitorServer;
  try {
    server = await startMonitorServer(listen, { config, location, store, metrics, recent, slos, alerts, authToken: options.authToken ?? null, locations: () => locations });
  } catch (err) {
    store.close();
    throw err;
  }
  alerts.start();
  for (const t of config.targets) {
    for (const p of probesOf(config, t.name)) {
      metrics.declare(t.name, p.name);
      scheduler.add(t.name, p);
    }
  }
  for (const s of scrapers) s.start();
  shared?.start();
  log(`monitoring ${config.targets.length} target(s) from location ${location}; metrics at ${server.url}/metrics`);

  let closing: Promise<void> | null = null;
  return {
    config,
    location,
    url: server.url,
    store,
    shared,
    metrics,
    clock,
    onProbe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close(closeOptions = { drain: true }) {
      closing ??= (async () => {
        await scheduler.stop(closeOptions);
        await Promise.allSettled(scrapers.map((s) => s.stop()));
        await Promise.allSettled([...probers.values()].map((p) => p.close()));
        await alerts.stop();
        await server.close();
        if (locationTimer) clearInterval(locationTimer);
        clearInterval(retentionTimer);
        if (regressionTimer) clearInterval(regressionTimer);
        await shared?.stop();
        await otlp?.close();
        store.close();
      })();
      return closing;
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The OTLP exporter, loaded only when asked for (the SDK is not needed otherwise). */
async function startOtlp(config: MonitorConfig, location: string): Promise<import('./otlp/otlp-metrics.js').OtlpProbeMetrics> {
  const { OtlpProbeMetrics } = await import('./otlp/otlp-metrics.js');
  const targets = new Map(config.targets.map((t) => [t.name, { api: t.api, model: t.model ?? null, url: t.url }]));
  return new OtlpProbeMetrics(config.otlp!.endpoint, targets, { location, exportIntervalMs: config.otlp!.everyMs });
}
