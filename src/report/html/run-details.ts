/** Markup for a run's conditions, outcomes and texts. Every value from a file, server or model is escaped. */
import type { RequestRecord } from '../../measure/record.js';
import type { ResultsDocument } from '../../results/results-document.js';
import type { Finding } from '../../results/findings.js';
import { escapeHtml as e } from './escape.js';
import { fmt, numberAt, pct } from './summary-figures.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const has = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** A definition list of the run's conditions: target, model, API, load, workload, version, window. */
export function conditionsMarkup(results: ResultsDocument): string {
  const run = obj(results.run);
  const target = obj(run.target);
  const config = obj(run.config);
  const window = obj(obj(results.summary).window);
  const rows: Array<[string, string]> = [
    ['Run id', String(run.id ?? '-')],
    ['Status', String(run.status ?? '-')],
    ['Target', String(target.url ?? '-')],
    ['Model', String(target.model ?? '-')],
    ['API', `${String(target.api ?? '-')}${target.embedded ? ' (embedded engine)' : ''}`],
    ['Load profile', describeLoad(config)],
    ['Workload', describeWorkload(config)],
    ['Tool version', String(run.tool_version ?? '-')],
    ['Started / ended', `${String(run.started_at ?? '-')} / ${String(run.ended_at ?? '-')}`],
    [
      'Window',
      `${fmt(numberAt(results.summary, 'window_s'), 2)} s (${String(window.source ?? '-')}), ` +
        `${fmt(numberAt(results.summary, 'requests.warmup_excluded'), 0)} warm-up requests excluded`,
    ],
  ];
  return `<dl class="conditions">${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>`;
}

/** "rate 10 req/s (poisson, burstiness 1), 500 requests, warm-up 5" from the flat bench config. */
export function describeLoad(config: Obj): string {
  const parts: string[] = [];
  if (has(config.rate)) {
    const burst = has(config.burstiness) && config.arrival === 'gamma' ? `, burstiness ${String(config.burstiness)}` : '';
    parts.push(`rate ${String(config.rate)} req/s (${String(config.arrival ?? 'poisson')}${burst})`);
    if (has(config.maxConcurrency)) parts.push(`max concurrency ${String(config.maxConcurrency)}`);
  } else if (has(config.concurrency)) {
    parts.push(`concurrency ${String(config.concurrency)}`);
  }
  if (has(config.requests)) parts.push(`${String(config.requests)} requests`);
  if (has(config.durationS)) parts.push(`${String(config.durationS)} s`);
  if (Number(config.rampUpS) > 0) parts.push(`ramp-up ${String(config.rampUpS)} s`);
  if (Number(config.warmup) > 0) parts.push(`warm-up ${String(config.warmup)}`);
  if (has(config.seed)) parts.push(`seed ${String(config.seed)}`);
  return parts.join(', ') || '-';
}

/** "synthetic: input 256, output 128 tokens" or "dataset x.jsonl (jsonl)". */
export function describeWorkload(config: Obj): string {
  if (has(config.dataset)) return `dataset ${String(config.dataset)}${has(config.datasetFormat) ? ` (${String(config.datasetFormat)})` : ''}`;
  if (has(config.inputTokens) || has(config.outputTokens)) {
    return `synthetic: input ${String(config.inputTokens ?? '-')}, output ${String(config.outputTokens ?? '-')} tokens`;
  }
  return '-';
}

/** A count table with proportional bars (finish reasons, error classes). Empty string with no entries. */
export function countTable(title: string, counts: unknown, tone: 'ok' | 'bad'): string {
  const entries = Object.entries(obj(counts))
    .filter((kv): kv is [string, number] => typeof kv[1] === 'number' && Number.isFinite(kv[1]) && kv[1] > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return `<div class="panel"><h4>${e(title)}</h4><p class="muted">none</p></div>`;
  const total = entries.reduce((sum, [, v]) => sum + v, 0);
  const rows = entries
    .map(([k, v]) => {
      const width = Math.max(1, Math.round((v / total) * 100));
      return `<tr><td>${e(k)}</td><td class="num">${fmt(v, 0)}</td><td class="bar-cell"><span class="bar ${tone}" style="width:${width}%"></span></td></tr>`;
    })
    .join('');
  return `<div class="panel"><h4>${e(title)}</h4><table class="counts"><tbody>${rows}</tbody></table></div>`;
}

/** The most frequent error messages (by class and text), longest first cut to 300 characters. */
export function errorMessages(records: readonly RequestRecord[], limit = 10): string {
  const groups = new Map<string, { cls: string; message: string; status: string; count: number }>();
  for (const r of records) {
    if (r.ok || !r.error) continue;
    const cls = String(r.error.class ?? 'unknown');
    const message = String(r.error.message ?? '').slice(0, 300);
    const key = `${cls}\u0000${message}`;
    const g = groups.get(key) ?? { cls, message, status: r.error.status === undefined ? '' : String(r.error.status), count: 0 };
    g.count++;
    groups.set(key, g);
  }
  if (groups.size === 0) return '';
  const top = [...groups.values()].sort((a, b) => b.count - a.count || a.cls.localeCompare(b.cls)).slice(0, limit);
  const rows = top
    .map((g) => `<tr><td class="num">${fmt(g.count, 0)}</td><td>${e(g.cls)}</td><td>${e(g.status)}</td><td class="text">${e(g.message)}</td></tr>`)
    .join('');
  return (
    `<div class="panel wide"><h4>Error messages</h4><table><thead><tr><th>count</th><th>class</th><th>status</th>` +
    `<th>message</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

/** The first few saved outputs (--save-text), cut to 600 characters each. */
export function sampleOutputs(records: readonly RequestRecord[], limit = 5): string {
  const texts = records.filter((r) => typeof r.output_text === 'string' && r.output_text.length > 0).slice(0, limit);
  if (texts.length === 0) return '';
  const items = texts
    .map((r) => {
      const text = r.output_text as string;
      const cut = text.length > 600 ? `${text.slice(0, 600)}…` : text;
      return `<li><span class="muted">#${e(r.index)} ${e(r.finish_reason ?? '')}</span><pre class="output">${e(cut)}</pre></li>`;
    })
    .join('');
  return `<div class="panel wide"><h4>Sample outputs</h4><ul class="outputs">${items}</ul></div>`;
}

/** Pass/fail of each threshold expression; empty when none were given. */
export function thresholdsMarkup(results: ResultsDocument): string {
  const list = obj((results as { thresholds?: unknown }).thresholds).results;
  if (!Array.isArray(list) || list.length === 0) return '';
  const rows = list
    .map((raw) => {
      const t = obj(raw);
      const actual = typeof t.actual === 'number' ? fmt(t.actual) : '-';
      const ok = t.ok === true;
      return `<tr><td class="${ok ? 'good' : 'bad'}">${ok ? 'pass' : 'FAIL'}</td><td><code>${e(t.expr ?? t.metric ?? '')}</code></td><td class="num">${e(actual)}</td><td>${e(t.reason ?? '')}</td></tr>`;
    })
    .join('');
  return `<div class="panel wide"><h4>Thresholds</h4><table><thead><tr><th></th><th>expression</th><th>actual</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The load generator's health, with the reasons when the run is invalid. */
export function fidelityMarkup(results: ResultsDocument): string {
  const f = obj(obj(results.summary).fidelity);
  if (typeof f.valid !== 'boolean') return '';
  const s = results.summary;
  const list = [...(Array.isArray(f.invalid_reasons) ? f.invalid_reasons : []), ...(Array.isArray(f.degraded_reasons) ? f.degraded_reasons : [])];
  const reasons = list.map((r) => `<li>${e(r)}</li>`).join('');
  const status = typeof f.status === 'string' ? f.status : f.valid ? 'valid' : 'invalid';
  const tone = status === 'valid' ? 'good' : status === 'degraded' ? 'warn' : 'bad';
  return (
    `<div class="panel"><h4>Load fidelity: <span class="${tone}">${e(status)}</span></h4>` +
    `<p class="muted">schedule lag p99 ${fmt(numberAt(s, 'fidelity.schedule_lag_ms.p99'))} ms, event-loop lag p99 ` +
    `${fmt(numberAt(s, 'fidelity.event_loop_lag_ms.p99'))} ms, achieved ${fmt(numberAt(s, 'fidelity.achieved_rate'))} req/s, ` +
    `client CPU ${pct(numberAt(s, 'fidelity.client_cpu'))}</p>${reasons ? `<ul>${reasons}</ul>` : ''}</div>`
  );
}

/** The redacted configuration as indented JSON, folded. */
export function configMarkup(results: ResultsDocument): string {
  const config = obj(results.run).config;
  if (config === undefined) return '';
  return `<details class="config"><summary>Configuration (redacted)</summary><pre>${e(JSON.stringify(config, null, 2))}</pre></details>`;
}

/** What limits the run (results.diagnosis), each finding with its confidence and first piece of advice. */
export function diagnosisMarkup(results: ResultsDocument): string {
  return findingsMarkup(results.diagnosis?.findings ?? []);
}

/** A diagnosis panel (a run's or a sweep's): each finding with its confidence and first piece of advice. */
export function findingsMarkup(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const items = findings
    .map((f) => {
      const tone = f.kind === 'healthy' ? 'good' : f.confidence === 'low' ? 'muted' : 'warn';
      const advice = f.kind !== 'healthy' && f.advice[0] ? `<br><span class="muted">try: ${e(f.advice[0])}</span>` : '';
      return `<li><b class="${tone}">${e(f.kind.replace(/_/g, ' '))}</b> <span class="muted">(${e(f.confidence)})</span>: ${e(f.title)}${advice}</li>`;
    })
    .join('');
  return `<div class="panel wide diagnosis"><h4>Diagnosis</h4><ul>${items}</ul></div>`;
}

/** Answer quality and conversations, when the run has them. */
export function qualityAndSessionsMarkup(results: ResultsDocument): string {
  const s = results.summary;
  const parts: string[] = [];
  if (s.quality) {
    const q = s.quality;
    parts.push(
      `<div class="panel"><h4>Answer quality</h4><p>exact match ${pct(q.exact_match.mean)}, F1 ${fmt(q.f1.mean)}, ROUGE-L ${fmt(q.rouge_l.mean)}</p>` +
        `<p class="muted">${q.requests} answers scored against the dataset's references</p></div>`,
    );
  }
  if (s.sessions) {
    const c = s.sessions;
    const rows = c.per_turn.map((t) => `<tr><td class="num">${t.turn + 1}</td><td class="num">${t.requests}</td><td class="num">${fmt(t.ttft_p50_ms)}</td><td class="num">${fmt(t.ttft_p99_ms)}</td><td class="num">${fmt(t.input_tokens_mean)}</td></tr>`).join('');
    parts.push(
      `<div class="panel"><h4>Conversations</h4><p>${c.conversations} conversations of ${c.turns} turns (${c.completed} complete)` +
        `${c.history_share !== null ? `, history ${pct(c.history_share)} of prompt tokens` : ''}</p>` +
        `<table><thead><tr><th>turn</th><th>requests</th><th>TTFT p50</th><th>TTFT p99</th><th>input tokens</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    );
  }
  return parts.join('');
}
