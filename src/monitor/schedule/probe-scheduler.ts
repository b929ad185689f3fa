import { setMaxListeners } from 'node:events';
import type { Clock } from '../../measure/clock.js';
import type { MonitorProbe } from '../config/monitor-config.js';

/** A probe the schedule wants sent now. */
export interface DueProbe {
  target: string;
  probe: MonitorProbe;
  /** The instance's probe sequence number. */
  index: number;
  /** Slot time on the monitor clock (ms): what a record's t_sched holds. */
  t_sched: number;
}

export interface SchedulerOptions {
  clock: Clock;
  /** Share of the interval a slot may be moved later at random, 0-0.5. */
  jitter: number;
  /** Random numbers in [0, 1); injectable so tests can fix the offsets. */
  random?: () => number;
  /** Sends one probe; the scheduler never calls it twice at once for one target. Must not reject. */
  run(due: DueProbe, signal: AbortSignal): Promise<void>;
  /** How late the timer fired after the slot (ms): the monitor's own schedule lag. */
  onLag?(target: string, probe: string, lagMs: number): void;
  /** A slot came while the same probe of the target was still waiting for its turn: it is dropped, not queued twice. */
  onSkip?(target: string, probe: string, reason: 'busy' | 'behind'): void;
}

interface Slot {
  target: string;
  probe: MonitorProbe;
  /** Unjittered slot start; advances by exactly `every`, so jitter never accumulates into drift. */
  base: number;
  due: number;
  timer: NodeJS.Timeout | null;
}

interface Lane {
  queue: DueProbe[];
  running: Promise<void> | null;
}

/**
 * Sends each (target, probe) pair every `probe.everyMs`, each slot moved later by a random share of the interval
 * (up to `jitter`), so many targets are not hit in lockstep. Each target has its own lane: its probes run one at a
 * time, in slot order, and a slow or hung target only ever delays its own lane. Timers are per pair, so one lane's
 * waiting never moves another pair's slot.
 */
export class ProbeScheduler {
  readonly #slots: Slot[] = [];
  readonly #lanes = new Map<string, Lane>();
  readonly #abort = new AbortController();
  readonly #random: () => number;
  #index = 0;
  #stopped = false;

  constructor(private readonly o: SchedulerOptions) {
    this.#random = o.random ?? Math.random;
    // Every probe in flight listens on this one signal (and stops listening when it ends): hundreds at once is normal.
    setMaxListeners(0, this.#abort.signal);
  }

  /** Adds a pair; its first slot comes within one jittered share of its interval from now. */
  add(target: string, probe: MonitorProbe): void {
    const now = this.o.clock.now();
    const slot: Slot = { target, probe, base: now, due: now, timer: null };
    slot.due = slot.base + this.#offset(probe);
    this.#slots.push(slot);
    if (!this.#lanes.has(target)) this.#lanes.set(target, { queue: [], running: null });
    this.#arm(slot);
  }

  /** Probes waiting for their target's lane. */
  queued(target: string): number {
    return this.#lanes.get(target)?.queue.length ?? 0;
  }

  /**
   * Stops scheduling. With `drain`, probes in flight finish (bounded by their timeouts) and queued ones are
   * dropped; without, in-flight probes are aborted (their records say 'aborted').
   */
  async stop(options: { drain: boolean } = { drain: true }): Promise<void> {
    this.#stopped = true;
    for (const s of this.#slots) if (s.timer) clearTimeout(s.timer);
    for (const lane of this.#lanes.values()) lane.queue.length = 0;
    if (!options.drain) this.#abort.abort();
    await Promise.all([...this.#lanes.values()].map((l) => l.running));
  }

  #offset(probe: MonitorProbe): number {
    return this.#random() * this.o.jitter * probe.everyMs;
  }

  #arm(slot: Slot): void {
    const delay = Math.max(0, slot.due - this.o.clock.now());
    slot.timer = setTimeout(() => this.#fire(slot), delay);
    slot.timer.unref?.();
  }

  #fire(slot: Slot): void {
    if (this.#stopped) return;
    const now = this.o.clock.now();
    this.o.onLag?.(slot.target, slot.probe.name, Math.max(0, now - slot.due));
    const lane = this.#lanes.get(slot.target)!;
    if (lane.queue.some((q) => q.probe.name === slot.probe.name)) {
      this.o.onSkip?.(slot.target, slot.probe.name, 'busy');
    } else {
      lane.queue.push({ target: slot.target, probe: slot.probe, index: this.#index++, t_sched: slot.due });
      this.#pump(lane);
    }
    slot.base += slot.probe.everyMs;
    // A monitor stalled for more than a whole interval starts afresh instead of firing the missed slots at once.
    if (slot.base + slot.probe.everyMs < now) {
      this.o.onSkip?.(slot.target, slot.probe.name, 'behind');
      slot.base = now;
    }
    slot.due = slot.base + this.#offset(slot.probe);
    this.#arm(slot);
  }

  #pump(lane: Lane): void {
    if (lane.running || this.#stopped) return;
    const next = lane.queue.shift();
    if (!next) return;
    lane.running = this.o
      .run(next, this.#abort.signal)
      .catch(() => undefined)
      .then(() => {
        lane.running = null;
        this.#pump(lane);
      });
  }
}
