import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { LagSummary, ProbeReading } from './fidelity.js';

/** Sampling period of the event-loop delay monitor, ms. */
const RESOLUTION_MS = 10;

/** A running measurement of the client process; `stop()` ends it and returns the reading. */
export interface FidelityProbe {
  stop(): ProbeReading;
}

/**
 * Starts measuring event-loop delay (perf_hooks.monitorEventLoopDelay at 10 ms resolution) and process CPU time.
 * One probe per run; stop it once.
 */
export function startFidelityProbe(): FidelityProbe {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let reading: ProbeReading | null = null;
  return {
    stop(): ProbeReading {
      if (reading) return reading;
      histogram.disable();
      const cpu = process.cpuUsage(cpuStart);
      const wallMs = performance.now() - wallStart;
      // The histogram records the whole timer interval, resolution included (measured: p50 ~10.3 ms when idle),
      // so the delay is what exceeds the resolution.
      const delay = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      const lag: LagSummary =
        histogram.count === 0
          ? { p50: 0, p99: 0, max: 0 }
          : { p50: delay(histogram.percentile(50)), p99: delay(histogram.percentile(99)), max: delay(histogram.max) };
      reading = {
        event_loop_lag_ms: lag,
        client_cpu: wallMs > 0 ? (cpu.user + cpu.system) / 1000 / wallMs : 0,
      };
      return reading;
    },
  };
}
