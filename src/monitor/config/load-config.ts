import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../../config/errors.js';
import type { MonitorConfig } from './monitor-config.js';
import { monitorConfigSchema, type MonitorConfigParsed } from './schema.js';

type Path = readonly PropertyKey[];

/**
 * Reads and validates a monitor configuration file before anything starts. Every problem becomes a ConfigError
 * naming the file, the line and the key path, e.g. `monitor.yaml:7: targets[0].url: must be an http:// URL`.
 * API keys are not read here (see resolveApiKeys): the configuration names environment variables only.
 */
export function loadMonitorConfig(path: string): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `--config: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseMonitorConfig(text, path);
}

/** Parses configuration text (YAML or JSON); `source` names it in messages. */
export function parseMonitorConfig(text: string, source = 'monitor.yaml'): MonitorConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new ConfigError('(syntax)', `${source}:${at.line}: ${syntax.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = monitorConfigSchema.safeParse(raw);
  if (!parsed.success) throw issueError(parsed.error.issues[0]!, doc, lines, source);
  const config = toConfig(parsed.data, source);
  const problem = crossCheck(config);
  if (problem) {
    const line = lineOf(doc, lines, problem.path);
    throw new ConfigError(dotted(problem.path), `${source}:${line}: ${dotted(problem.path)}: ${problem.message}`);
  }
  return config;
}

/**
 * The key of each target that names an environment variable, read from `env`. A variable that is unset is an
 * input error naming the target, never a silent unauthenticated probe.
 */
export function resolveApiKeys(config: MonitorConfig, env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [i, t] of config.targets.entries()) {
    if (!t.apiKeyEnv) continue;
    const value = env[t.apiKeyEnv];
    if (!value) throw new ConfigError(`targets[${i}].api_key_env`, `targets[${i}].api_key_env: environment variable ${t.apiKeyEnv} is not set (target ${t.name})`);
    keys.set(t.name, value);
  }
  return keys;
}

function issueError(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, source: string): ConfigError {
  let path: Path = issue.path;
  let message = issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? `required key is missing (${issue.expected})` : issue.message;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    path = [...path, key];
    message = `unknown key ${JSON.stringify(key)}`;
  }
  const line = lineOf(doc, lines, path);
  const field = dotted(path) || '(document)';
  return new ConfigError(field, `${source}:${line}: ${field}: ${message}`);
}

/** Line of the deepest node on `path` that exists (a missing key points at its parent); a key points at itself. */
function lineOf(doc: Document, lines: LineCounter, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const offset = offsetOf(doc, path.slice(0, n));
    if (offset !== null) return lines.linePos(offset).line;
  }
  return 1;
}

function offsetOf(doc: Document, path: Path): number | null {
  if (path.length === 0) return doc.contents?.range?.[0] ?? 0;
  const parent = doc.getIn(path.slice(0, -1) as unknown[], true) as Node | undefined;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
    const key = pair?.key as Node | undefined;
    return key?.range?.[0] ?? null;
  }
  const node = doc.getIn(path as unknown[], true) as Node | undefined;
  return node?.range?.[0] ?? null;
}

function dotted(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function toConfig(c: MonitorConfigParsed, source: string): MonitorConfig {
  return {
    source,
    listen: c.listen,
    store: c.store,
    ...(c.shared_store ? { sharedStore: c.shared_store } : {}),
    ...(c.otlp ? { otlp: { endpoint: c.otlp.endpoint, everyMs: c.otlp.every } } : {}),
    location: c.location,
    retentionMs: c.retention,
    jitter: c.jitter,
    targets: c.targets.map((t) => ({
      name: t.name,
      url: t.url.replace(/\/+$/, ''),
      model: t.model ?? null,
      api: t.api,
      apiKeyEnv: t.api_key_env ?? null,
      headers: t.headers,
      labels: t.labels,
      scrape: t.scrape,
      scrapeExtra: t.scrape_extra,
      scrapeEveryMs: t.scrape_every,
    })),
    probes: c.probes.map((p) => ({
      name: p.name,
      everyMs: p.every,
      inputTokens: p.input_tokens,
      outputTokens: p.output_tokens,
      timeoutMs: p.timeout,
      targets: p.targets,
    })),
    slos: c.slos.map((s, i) => ({
      name: s.name ?? `${s.probe}-${i}`,
      targets: s.targets,
      probe: s.probe,
      ttftMs: s.ttft ?? null,
      tpotMs: s.tpot ?? null,
      e2eMs: s.e2e ?? null,
      objective: s.objective,
      windowMs: s.window,
    })),
    alerts: { webhooks: c.alerts.webhooks, failing: c.alerts.failing, minProbes: c.alerts.min_probes, ...(c.alerts.locations ? { locations: c.alerts.locations } : {}),
      ...(c.alerts.regression
        ? {
            regression: {
              windowMs: c.alerts.regression.window,
              baselineMs: c.alerts.regression.baseline,
              metrics: c.alerts.regression.metrics,
              minProbes: c.alerts.regression.min_probes,
              thresholdPct: c.alerts.regression.threshold_pct,
              everyMs: c.alerts.regression.every,
            },
          }
        : {}),
    },
  };
}

/** References between sections and unique names: what a schema of one section cannot see. */
function crossCheck(c: MonitorConfig): { path: Path; message: string } | null {
  const dup = (names: string[]): number => names.findIndex((n, i) => names.indexOf(n) !== i);
  const targets = c.targets.map((t) => t.name);
  const probes = c.probes.map((p) => p.name);
  let i = dup(targets);
  if (i >= 0) return { path: ['targets', i, 'name'], message: `target name ${JSON.stringify(targets[i])} is used twice` };
  i = dup(probes);
  if (i >= 0) return { path: ['probes', i, 'name'], message: `probe name ${JSON.stringify(probes[i])} is used twice` };
  i = dup(c.slos.map((s) => s.name));
  if (i >= 0) return { path: ['slos', i, 'name'], message: `SLO name ${JSON.stringify(c.slos[i]!.name)} is used twice` };
  const unknownTarget = (sel: '*' | string[]): number => (sel === '*' ? -1 : sel.findIndex((n) => !targets.includes(n)));
  for (const [pi, p] of c.probes.entries()) {
    const j = unknownTarget(p.targets);
    if (j >= 0) return { path: ['probes', pi, 'targets', j], message: `no target named ${JSON.stringify((p.targets as string[])[j])}; targets: ${targets.join(', ')}` };
  }
  for (const [si, s] of c.slos.entries()) {
    if (!probes.includes(s.probe)) return { path: ['slos', si, 'probe'], message: `no probe named ${JSON.stringify(s.probe)}; probes: ${probes.join(', ')}` };
    const j = unknownTarget(s.targets);
    if (j >= 0) return { path: ['slos', si, 'targets', j], message: `no target named ${JSON.stringify((s.targets as string[])[j])}; targets: ${targets.join(', ')}` };
  }
  return null;
}
