import { selects, type MonitorConfig, type MonitorSlo } from '../config/monitor-config.js';
import type { MonitorMetrics } from '../metrics/monitor-metrics.js';
import type { MonitorStore, ProbeRow } from '../store/monitor-store.js';
import { attainment, budgetRemaining, burnAlerts, burnRate, WINDOW_MS, type BurnSeverity, type Counts, type WindowLabel } from './slo-math.js';

/** The state of one SLO for one target, as the API, the metrics and the alerts see it. */
export interface SloStatus {
  slo: string;
  target: string;
  probe: string;
  location: string;
  objective: number;
  window_ms: number;
  limits: { ttft_ms: number | null; tpot_ms: number | null; e2e_ms: number | null };
  probes: number;
  good: number;
  /** Share of good probes over the window; null before the first probe. */
  attainment: number | null;
  error_budget_remaining: number | null;
  burn_rate: Record<WindowLabel, number | null>;
  /** Burn-rate alert conditions now (page: 1 h and 5 min over 14.4x; ticket: 6 h and 30 min over 6x). */
  burning: Record<BurnSeverity, boolean>;
  updated_ms: number;
}

/** Recomputes the SLOs a probe belongs to after it is stored, from the store (the window may span restarts). */
export class SloTracker {
  readonly #status = new Map<string, SloStatus>();

  constructor(
    private readonly config: MonitorConfig,
    private readonly store: MonitorStore,
    private readonly metrics: MonitorMetrics,
    private readonly location: string,
  ) {}

  /** SLOs that apply to a target and probe. */
  slosFor(target: string, probe: string): MonitorSlo[] {
    return this.config.slos.filter((s) => s.probe === probe && selects(s.targets, target));
  }

  observe(p: Pick<ProbeRow, 'target' | 'probe' | 'wallMs'>): SloStatus[] {
    return this.slosFor(p.target, p.probe).map((slo) => this.#update(slo, p.target, p.wallMs));
  }

  /** Current status of every SLO and target seen so far (computed now for those without a probe yet). */
  all(nowMs: number = Date.now()): SloStatus[] {
    const out: SloStatus[] = [];
    for (const slo of this.config.slos) {
      for (const t of this.config.targets) {
        if (!selects(slo.targets, t.name)) continue;
        out.push(this.#status.get(key(slo.name, t.name)) ?? this.#update(slo, t.name, nowMs));
      }
    }
    return out;
  }

  #update(slo: MonitorSlo, target: string, nowMs: number): SloStatus {
    const series = { target, probe: slo.probe, location: this.location };
    const limits = { ttftMs: slo.ttftMs, tpotMs: slo.tpotMs, e2eMs: slo.e2eMs };
    const count = (ms: number): Counts => this.store.sloCounts(series, nowMs - ms, limits);
    const whole = count(slo.windowMs);
    const windows = { '5m': count(WINDOW_MS['5m']), '30m': count(WINDOW_MS['30m']), '1h': count(WINDOW_MS['1h']), '6h': count(WINDOW_MS['6h']) };
    const burn = Object.fromEntries(Object.entries(windows).map(([w, c]) => [w, burnRate(c, slo.objective)])) as Record<WindowLabel, number | null>;
    const status: SloStatus = {
      slo: slo.name,
      target,
      probe: slo.probe,
      location: this.location,
      objective: slo.objective,
      window_ms: slo.windowMs,
      limits: { ttft_ms: slo.ttftMs, tpot_ms: slo.tpotMs, e2e_ms: slo.e2eMs },
      probes: whole.total,
      good: whole.good,
      attainment: attainment(whole),
      error_budget_remaining: budgetRemaining(whole, slo.objective),
      burn_rate: burn,
      burning: burnAlerts(windows, slo.objective, this.config.alerts.minProbes),
      updated_ms: nowMs,
    };
    this.#status.set(key(slo.name, target), status);
    const l = { slo: slo.name, target, probe: slo.probe, location: this.location };
    if (status.attainment !== null) this.metrics.sloAttainment.set(l, status.attainment);
    if (status.error_budget_remaining !== null) this.metrics.sloBudget.set(l, status.error_budget_remaining);
    for (const [w, b] of Object.entries(burn)) if (b !== null) this.metrics.sloBurn.set({ ...l, window: w }, b);
    return status;
  }
}

const key = (slo: string, target: string): string => `${slo}\u0000${target}`;
