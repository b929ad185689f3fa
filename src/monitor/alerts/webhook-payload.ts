import type { AlertDetail, AlertState } from './alert-store.js';

/** The JSON body of a notification (format `json`). */
export interface AlertNotification {
  version: 1;
  status: AlertState;
  alert: AlertDetail['alert'];
  severity: AlertDetail['severity'];
  key: string;
  target: string;
  probe: string;
  location: string;
  slo?: string;
  summary: string;
  /** ISO 8601 of the transition. */
  at: string;
}

export function notificationBody(key: string, state: AlertState, atMs: number, d: AlertDetail): AlertNotification {
  return {
    version: 1,
    status: state,
    alert: d.alert,
    severity: d.severity,
    key,
    target: d.target,
    probe: d.probe,
    location: d.location,
    ...(d.slo ? { slo: d.slo } : {}),
    summary: d.summary,
    at: new Date(atMs).toISOString(),
  };
}

/** Slack-compatible incoming-webhook body: a `text` fallback and one section block (mrkdwn). */
export function slackBody(n: AlertNotification): { text: string; blocks: unknown[] } {
  const head = n.status === 'firing' ? `:red_circle: [FIRING] ${n.alert}` : `:large_green_circle: [RESOLVED] ${n.alert}`;
  // Target and probe names are restricted to [A-Za-z0-9._-] by the configuration, so they cannot inject markup.
  const text = `${head} ${n.target}/${n.probe} (${n.location}): ${escapeMrkdwn(n.summary)}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Slack's three control characters. */
function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
