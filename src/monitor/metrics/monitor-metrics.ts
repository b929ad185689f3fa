import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProbeResult } from '../probe/probe-result.js';
import { outputTokensPerSecond } from '../probe/probe-result.js';

/** Bucket bounds in seconds, dense where LLM latencies usually fall and reaching a probe's longest timeouts. */
export const BUCKETS = {
  ttft: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 20, 30, 60, 120],
  tpot: [0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2],
  e2e: [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 300, 600],
  lag: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const;

const PROBE_LABELS = ['target', 'probe', 'location'] as const;

/**
 * The monitor's own Prometheus metrics, in one registry per monitor (no global registry). Names and meanings are
 * listed in docs/monitor.md; latencies are in seconds.
 */
export class MonitorMetrics {
  readonly registry = new Registry();
  readonly #location: string;
  readonly success: Gauge<(typeof PROBE_LABELS)[number]>;
  readonly probes: Counter<'target' | 'probe' | 'location' | 'outcome'>;
  readonly errors: Counter<'target' | 'probe' | 'location' | 'class'>;
  readonly ttft: Histogram<(typeof PROBE_LABELS)[number]>;
  readonly tpot: Histogram<(typeof PROBE_LABELS)[number]>;
  readonly e2e: Histogram<(typeof PROBE_LABELS)[number]>;
  readonly otps: Gauge<(typeof PROBE_LABELS)[number]>;
  readonly lastProbe: Gauge<(typeof PROBE_LABELS)[number]>;
  readonly lag: Histogram<'location'>;
  readonly skipped: Counter<'target' | 'probe' | 'location' | 'reason'>;
  readonly scrapes: Counter<'target' | 'location' | 'outcome'>;
  readonly server: Gauge<'target' | 'location' | 'concept'>;
  readonly sloAttainment: Gauge<'slo' | 'target' | 'probe' | 'location'>;
  readonly sloBudget: Gauge<'slo' | 'target' | 'probe' | 'location'>;
  readonly sloBurn: Gauge<'slo' | 'target' | 'probe' | 'location' | 'window'>;
  readonly alertsFiring: Gauge<'alert' | 'target' | 'probe' | 'location'>;
  readonly sharedPending: Gauge<'location' | 'kind'>;
  readonly sharedUp: Gauge<'location'>;

  constructor(location: string, options: { processMetrics?: boolean } = {}) {
    this.#location = location;
    const r = [this.registry];
    this.success = new Gauge({ name: 'inferscope_probe_success', help: 'Whether the last probe succeeded (1) or failed (0).', labelNames: PROBE_LABELS, registers: r });
    this.probes = new Counter({ name: 'inferscope_probes_total', help: 'Probes finished, by outcome (success or error).', labelNames: [...PROBE_LABELS, 'outcome'], registers: r });
    this.errors = new Counter({ name: 'inferscope_probe_errors_total', help: 'Failed probes by error class.', labelNames: [...PROBE_LABELS, 'class'], registers: r });
    this.ttft = new Histogram({ name: 'inferscope_probe_ttft_seconds', help: 'Time to first token of successful probes.', labelNames: PROBE_LABELS, buckets: [...BUCKETS.ttft], registers: r });
    this.tpot = new Histogram({ name: 'inferscope_probe_tpot_seconds', help: 'Time per output token after the first, of successful probes.', labelNames: PROBE_LABELS, buckets: [...BUCKETS.tpot], registers: r });
    this.e2e = new Histogram({ name: 'inferscope_probe_e2e_seconds', help: 'Send to last token of successful probes.', labelNames: PROBE_LABELS, buckets: [...BUCKETS.e2e], registers: r });
    this.otps = new Gauge({ name: 'inferscope_probe_output_tokens_per_second', help: 'Output tokens per second of the last successful probe (over its E2E).', labelNames: PROBE_LABELS, registers: r });
    this.lastProbe = new Gauge({ name: 'inferscope_probe_last_timestamp_seconds', help: 'Wall-clock time the last probe was sent.', labelNames: PROBE_LABELS, registers: r });
    this.lag = new Histogram({ name: 'inferscope_monitor_schedule_lag_seconds', help: 'How late the monitor\'s timer fired after a probe\'s slot.', labelNames: ['location'], buckets: [...BUCKETS.lag], registers: r });
    this.skipped = new Counter({ name: 'inferscope_monitor_probes_skipped_total', help: 'Probe slots dropped: the same probe still waited for its target (busy) or the monitor fell a whole interval behind.', labelNames: [...PROBE_LABELS, 'reason'], registers: r });
    this.scrapes = new Counter({ name: 'inferscope_monitor_scrapes_total', help: 'Scrapes of targets\' /metrics, by outcome (success or error).', labelNames: ['target', 'location', 'outcome'], registers: r });
    this.server = new Gauge({ name: 'inferscope_server_concept', help: 'Last scraped value of a normalized server concept (running, waiting, kv_cache_usage, token counters, ...).', labelNames: ['target', 'location', 'concept'], registers: r });
    this.sloAttainment = new Gauge({ name: 'inferscope_slo_attainment_ratio', help: 'Share of probes meeting the SLO over its window.', labelNames: ['slo', ...PROBE_LABELS], registers: r });
    this.sloBudget = new Gauge({ name: 'inferscope_slo_error_budget_remaining_ratio', help: 'Share of the SLO window\'s error budget left (negative when overspent).', labelNames: ['slo', ...PROBE_LABELS], registers: r });
    this.sloBurn = new Gauge({ name: 'inferscope_slo_burn_rate', help: 'Error budget burn rate over a window (1 = spending exactly the budget).', labelNames: ['slo', ...PROBE_LABELS, 'window'], registers: r });
    this.sharedPending = new Gauge({ name: 'inferscope_monitor_shared_store_pending', help: 'Probes and scrapes kept locally, not yet copied to the shared store.', labelNames: ['location', 'kind'], registers: r });
    this.sharedUp = new Gauge({ name: 'inferscope_monitor_shared_store_up', help: 'Whether the last copy to the shared store succeeded (1) or not (0).', labelNames: ['location'], registers: r });
    this.alertsFiring = new Gauge({ name: 'inferscope_alert_firing', help: 'Alerts firing (1) or resolved (0).', labelNames: ['alert', ...PROBE_LABELS], registers: r });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'inferscope_monitor_' });
  }

  /** Every series of a probe pair exists from the start (0 counts), so rate() and alerts see them before a failure. */
  declare(target: string, probe: string): void {
    const l = { target, probe, location: this.#location };
    this.probes.inc({ ...l, outcome: 'success' }, 0);
    this.probes.inc({ ...l, outcome: 'error' }, 0);
    this.skipped.inc({ ...l, reason: 'busy' }, 0);
  }

  observeProbe(p: ProbeResult): void {
    const l = { target: p.target, probe: p.probe, location: p.location };
    this.success.set(l, p.ok ? 1 : 0);
    this.lastProbe.set(l, p.wallMs / 1000);
    this.probes.inc({ ...l, outcome: p.ok ? 'success' : 'error' });
    if (!p.ok) {
      this.errors.inc({ ...l, class: p.errorClass ?? 'unknown' });
      return;
    }
    if (p.ttftMs !== null) this.ttft.observe(l, p.ttftMs / 1000);
    if (p.tpotMs !== null) this.tpot.observe(l, p.tpotMs / 1000);
    if (p.e2eMs !== null) this.e2e.observe(l, p.e2eMs / 1000);
    const otps = outputTokensPerSecond(p);
    if (otps !== null) this.otps.set(l, otps);
  }

  observeLag(lagMs: number): void {
    this.lag.observe({ location: this.#location }, lagMs / 1000);
  }

  observeSkip(target: string, probe: string, reason: string): void {
    this.skipped.inc({ target, probe, location: this.#location, reason });
  }

  observeScrape(target: string, ok: boolean, concepts: Record<string, number>): void {
    this.scrapes.inc({ target, location: this.#location, outcome: ok ? 'success' : 'error' });
    for (const [concept, value] of Object.entries(concepts)) this.server.set({ target, location: this.#location, concept }, value);
  }

  get location(): string {
    return this.#location;
  }
}
