import type { MonitorConfig } from '../config/monitor-config.js';
import type { MonitorMetrics } from '../metrics/monitor-metrics.js';
import { failingKofN } from '../slo/slo-math.js';
import type { SloStatus } from '../slo/slo-tracker.js';
import type { RecentProbes } from '../state/recent-probes.js';
import type { MonitorStore, ProbeRow } from '../store/monitor-store.js';
import { AlertStore, type AlertDetail, type AlertEvent, type AlertRow, type AlertState } from './alert-store.js';
import { notificationBody, slackBody } from './webhook-payload.js';
import { WebhookSender } from './webhook-sender.js';
import type { LocationProbes } from '../store/shared-replicator.js';
import type { MetricComparison } from '../../compare/types.js';

export interface AlertManagerOptions {
  config: MonitorConfig;
  store: MonitorStore;
  metrics: MonitorMetrics;
  location: string;
  log: (line: string) => void;
}

/**
 * Evaluates alert conditions after each probe and turns changes of state into notifications: one when an alert
 * starts firing, one when it resolves, none while it stays as it is (deduplicated by the alert's key). State and
 * outbox live in the store, so a restart neither repeats nor loses a notification.
 */
export class AlertManager {
  readonly #alerts: AlertStore;
  readonly #states = new Map<string, AlertRow>();
  readonly #sender: WebhookSender;

  constructor(private readonly o: AlertManagerOptions) {
    this.#alerts = new AlertStore(o.store.db);
    for (const row of this.#alerts.states()) {
      this.#states.set(row.key, row);
      this.#gauge(row);
    }
    this.#sender = new WebhookSender(this.#alerts, o.log);
  }

  start(): void {
    this.#sender.start();
  }

  stop(): Promise<void> {
    return this.#sender.stop();
  }

  /** Checks the alerts of the probe's pair: k of the last n failed, and the burn rates of its SLOs. */
  evaluate(p: ProbeRow, recent: RecentProbes, slos: readonly SloStatus[]): void {
    const { k, n } = this.o.config.alerts.failing;
    const oks = recent.of(p.target, p.probe).map((r) => r.ok);
    const base = { target: p.target, probe: p.probe, location: this.o.location };
    const failed = oks.slice(-n).filter((ok) => !ok).length;
    this.#set(`probe_failing|${p.target}|${p.probe}|${this.o.location}`, failingKofN(oks, k, n), p.wallMs, {
      ...base,
      alert: 'probe_failing',
      severity: 'page',
      summary: `${failed} of the last ${Math.min(n, oks.length)} probes failed${p.errorClass ? ` (last error: ${p.errorClass})` : ''}`,
    });
    for (const s of slos) {
      for (const severity of ['page', 'ticket'] as const) {
        const alert = severity === 'page' ? 'slo_burn_page' : 'slo_burn_ticket';
        const [lw, sw] = severity === 'page' ? (['1h', '5m'] as const) : (['6h', '30m'] as const);
        this.#set(`${alert}|${s.slo}|${p.target}|${this.o.location}`, s.burning[severity], p.wallMs, {
          ...base,
          alert,
          severity,
          slo: s.slo,
          summary: `SLO ${s.slo} burning its error budget at ${fmt(s.burn_rate[lw])}x (${lw}) and ${fmt(s.burn_rate[sw])}x (${sw})`,
        });
      }
    }
  }

  /**
   * The k-of-n locations alert (alerts.locations = k): from every location's latest probes in the shared store, a
   * target fails from a location when that location's last n probes hold k failures (alerts.failing); it fires when
   * at least `alerts.locations` locations see it failing, so one location's own network does not page anyone.
   */
  evaluateLocations(rows: readonly LocationProbes[], nowMs: number): void {
    const quorum = this.o.config.alerts.locations;
    if (!quorum) return;
    const { k, n } = this.o.config.alerts.failing;
    const pairs = new Map<string, { target: string; probe: string; failing: string[]; seen: number }>();
    for (const r of rows) {
      const key = `${r.target}|${r.probe}`;
      let p = pairs.get(key);
      if (!p) pairs.set(key, (p = { target: r.target, probe: r.probe, failing: [], seen: 0 }));
      p.seen++;
      if (failingKofN(r.probes.map((x) => x.ok), k, n)) p.failing.push(r.location);
    }
    for (const p of pairs.values()) {
      this.#set(`locations_failing|${p.target}|${p.probe}`, p.failing.length >= quorum, nowMs, {
        alert: 'locations_failing',
        severity: 'page',
        target: p.target,
        probe: p.probe,
        location: p.failing.join(',') || 'none',
        summary: `failing from ${p.failing.length} of ${p.seen} locations${p.failing.length ? ` (${p.failing.join(', ')})` : ''}`,
      });
    }
  }

  /** The "regressed against baseline" alert of one series, from regressionCheck (null: too few probes to judge). */
  evaluateRegression(series: { target: string; probe: string }, regressed: readonly MetricComparison[] | null, nowMs: number): void {
    if (regressed === null) return;
    const cfg = this.o.config.alerts.regression!;
    const hours = (ms: number): string => (ms >= 3_600_000 ? `${+(ms / 3_600_000).toFixed(1)} h` : `${+(ms / 60_000).toFixed(1)} min`);
    const what = regressed
      .map((m) => `${m.label} ${m.change_pct !== null ? `+${m.change_pct.toFixed(0)}%` : ''} (${m.base?.toFixed(0)} to ${m.candidate?.toFixed(0)} ms${m.ci ? `, CI +${m.ci.low.toFixed(0)}% to +${m.ci.high.toFixed(0)}%` : ''})`)
      .join('; ');
    this.#set(`regressed|${series.target}|${series.probe}|${this.o.location}`, regressed.length > 0, nowMs, {
      alert: 'regressed',
      severity: 'ticket',
      target: series.target,
      probe: series.probe,
      location: this.o.location,
      summary: regressed.length > 0 ? `regressed in the last ${hours(cfg.windowMs)} against the ${hours(cfg.baselineMs)} before: ${what}` : `no regression against the ${hours(cfg.baselineMs)} before`,
    });
  }

  /** Alerts firing now. */
  firing(): AlertRow[] {
    return [...this.#states.values()].filter((r) => r.state === 'firing');
  }

  /** Firing and resolved notifications, newest first. */
  history(limit = 100): AlertEvent[] {
    return this.#alerts.events(limit);
  }

  pendingNotifications(): number {
    return this.#alerts.pending();
  }

  #set(key: string, active: boolean, atMs: number, detail: AlertDetail): void {
    const current = this.#states.get(key);
    const next: AlertState | null = active ? (current?.state === 'firing' ? null : 'firing') : current?.state === 'firing' ? 'resolved' : null;
    if (!next) return;
    const row: AlertRow = { key, state: next, since_ms: atMs, detail: next === 'resolved' ? { ...current!.detail, summary: `resolved: ${detail.summary}` } : detail };
    const body = notificationBody(key, next, atMs, row.detail);
    const notifications = this.o.config.alerts.webhooks.map((w) => ({ url: w.url, format: w.format, body: w.format === 'slack' ? slackBody(body) : body }));
    this.#alerts.transition(row, notifications);
    this.#states.set(key, row);
    this.#gauge(row);
    this.o.log(`alert ${next}: ${detail.alert} ${detail.target}/${detail.probe}: ${row.detail.summary}`);
    this.#sender.kick();
  }

  #gauge(row: AlertRow): void {
    const d = row.detail;
    this.o.metrics.alertsFiring.set({ alert: d.alert, target: d.target, probe: d.probe, location: d.location }, row.state === 'firing' ? 1 : 0);
  }
}

const fmt = (x: number | null): string => (x === null ? 'n/a' : String(Number(x.toFixed(2))));
