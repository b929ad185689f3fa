import type Database from 'better-sqlite3';

export type AlertState = 'firing' | 'resolved';

/** What an alert is about; kept with its state and sent in notifications. */
export interface AlertDetail {
  alert: 'probe_failing' | 'slo_burn_page' | 'slo_burn_ticket' | 'locations_failing' | 'regressed';
  severity: 'page' | 'ticket';
  target: string;
  probe: string;
  location: string;
  slo?: string;
  summary: string;
}

export interface AlertRow {
  key: string;
  state: AlertState;
  since_ms: number;
  detail: AlertDetail;
}

export interface AlertEvent extends AlertRow {
  seq: number;
}

export interface Notification {
  seq: number;
  url: string;
  format: 'json' | 'slack';
  body: unknown;
  attempts: number;
  next_try_ms: number;
}

/**
 * Alert state and the notification outbox in the store: a restarted monitor knows which alerts fire (so it
 * neither re-sends a firing nor a resolved one) and still delivers notifications it could not send before.
 */
export class AlertStore {
  constructor(private readonly db: Database.Database) {}

  states(): AlertRow[] {
    const rows = this.db.prepare('SELECT key, state, since_ms, detail_json FROM monitor_alerts ORDER BY key').all() as {
      key: string;
      state: AlertState;
      since_ms: number;
      detail_json: string;
    }[];
    return rows.map((r) => ({ key: r.key, state: r.state, since_ms: r.since_ms, detail: JSON.parse(r.detail_json) as AlertDetail }));
  }

  /** Records a transition and queues its notifications in one transaction: a crash keeps both or neither. */
  transition(row: AlertRow, notifications: { url: string; format: 'json' | 'slack'; body: unknown }[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO monitor_alerts (key, state, since_ms, detail_json) VALUES (?, ?, ?, ?)
          ON CONFLICT (key) DO UPDATE SET state = excluded.state, since_ms = excluded.since_ms, detail_json = excluded.detail_json`)
        .run(row.key, row.state, row.since_ms, JSON.stringify(row.detail));
      this.db
        .prepare('INSERT INTO monitor_alert_events (key, state, t_ms, detail_json) VALUES (?, ?, ?, ?)')
        .run(row.key, row.state, row.since_ms, JSON.stringify(row.detail));
      const queue = this.db.prepare('INSERT INTO monitor_notifications (url, format, body_json, next_try_ms) VALUES (?, ?, ?, ?)');
      for (const n of notifications) queue.run(n.url, n.format, JSON.stringify(n.body), row.since_ms);
    })();
  }

  events(limit: number): AlertEvent[] {
    const rows = this.db
      .prepare('SELECT seq, key, state, t_ms, detail_json FROM monitor_alert_events ORDER BY seq DESC LIMIT ?')
      .all(limit) as { seq: number; key: string; state: AlertState; t_ms: number; detail_json: string }[];
    return rows.map((r) => ({ seq: r.seq, key: r.key, state: r.state, since_ms: r.t_ms, detail: JSON.parse(r.detail_json) as AlertDetail }));
  }

  due(nowMs: number, limit = 50): Notification[] {
    const rows = this.db
      .prepare('SELECT seq, url, format, body_json, attempts, next_try_ms FROM monitor_notifications WHERE next_try_ms <= ? ORDER BY seq LIMIT ?')
      .all(nowMs, limit) as { seq: number; url: string; format: 'json' | 'slack'; body_json: string; attempts: number; next_try_ms: number }[];
    return rows.map((r) => ({ seq: r.seq, url: r.url, format: r.format, body: JSON.parse(r.body_json), attempts: r.attempts, next_try_ms: r.next_try_ms }));
  }

  pending(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM monitor_notifications').get() as { n: number }).n;
  }

  delivered(seq: number): void {
    this.db.prepare('DELETE FROM monitor_notifications WHERE seq = ?').run(seq);
  }

  failed(seq: number, nextTryMs: number, error: string): void {
    this.db.prepare('UPDATE monitor_notifications SET attempts = attempts + 1, next_try_ms = ?, last_error = ? WHERE seq = ?').run(nextTryMs, error, seq);
  }
}
