import type { RequestRecord } from '../src/measure/record.js';
import type { ServerRequestStats } from './client-server-process.js';
import { percentile } from './client-report.js';

/** Per-request and per-chunk samples of where the time between the client's t_send and its reads went, ms. */
export interface OverheadSamples {
  matched: number;
  /** Matched requests without a write time from the probe: left out of the split. */
  unprobed: number;
  /** measured TTFT - server TTFT (first write - received); = dispatch + server read + first arrival. */
  ttft: number[];
  /** undici started writing the request to its socket - t_send (client side). */
  dispatch: number[];
  /** Part of dispatch: undici created the request (a pool connection was free) - t_send. */
  poolWait: number[];
  /** server handler ran - client write: write syscall and loopback, the server's event-loop delay, parsing. */
  serverRead: number[];
  /** client read of the first token chunk - server write of it. */
  firstArrival: number[];
  /** dispatch + first arrival: the part of TTFT overhead the client adds itself. */
  client: number[];
  /** client read - server write, every token chunk. */
  arrival: number[];
  /** measured gap - written gap, every consecutive pair of token chunks. */
  itl: number[];
}

/**
 * Matches client records with the server's view of the same requests and splits the TTFT overhead.
 * `mono` turns a run-clock time into machine-wide monotonic ms (the server's stats are already in it);
 * `probe` gives the run-clock times undici created request `index` and started writing it to its socket.
 */
export function overheadSamples(
  records: RequestRecord[],
  stats: Record<string, ServerRequestStats>,
  probe: { created: Map<number, number>; written: Map<number, number> },
  mono: (t: number) => number,
): OverheadSamples {
  const out: OverheadSamples = { matched: 0, unprobed: 0, ttft: [], dispatch: [], poolWait: [], serverRead: [], firstArrival: [], client: [], arrival: [], itl: [] };
  for (const r of records) {
    const s = stats[`r${r.index}`];
    if (!r.ok || !s || s.writes.length !== r.chunks.length || r.chunks.length === 0) continue;
    out.matched++;
    const t = (k: number): number => (r.chunks[k] as { t: number }).t;
    const w = (k: number): number => s.writes[k] as number;
    out.ttft.push(t(0) - r.t_send - (w(0) - s.received));
    const firstArrival = mono(t(0)) - w(0);
    out.firstArrival.push(firstArrival);
    const wrote = probe.written.get(r.index);
    const created = probe.created.get(r.index);
    if (wrote === undefined || created === undefined) out.unprobed++;
    else {
      out.dispatch.push(wrote - r.t_send);
      out.poolWait.push(created - r.t_send);
      out.serverRead.push(s.received - mono(wrote));
      out.client.push(wrote - r.t_send + firstArrival);
    }
    for (let k = 0; k < r.chunks.length; k++) {
      out.arrival.push(mono(t(k)) - w(k));
      if (k > 0) out.itl.push(t(k) - t(k - 1) - (w(k) - w(k - 1)));
    }
  }
  return out;
}

/** "p50 / p99" of the samples, in ms with microsecond digits. */
export function p50p99(samples: number[]): string {
  const ms = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  return `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 99))}`;
}
