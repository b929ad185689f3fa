/**
 * `monitor --print-config`: a commented configuration file to start from, for the target of `--url` (or a
 * placeholder). Every key shows its default, so the file documents itself; the optional sections are commented out.
 */
import { stringify } from 'yaml';
import { DEFAULTS } from '../../config/defaults.js';
import type { QuickTarget } from './quick-config.js';
import { quickMonitorConfig } from './quick-config.js';

const M = DEFAULTS.monitor;

/** The target of a starter file printed without `--url` (or `$OPENAI_BASE_URL`): vLLM's default address. */
export const STARTER_URL = 'http://127.0.0.1:8000/v1';

/** A YAML value as it would appear after "key: " (quoted where YAML needs it). */
const y = (v: string): string => stringify(v).trimEnd();

/**
 * The starter file; it parses as a valid configuration as printed (the target's name, URL, model and key variable
 * come from `q`, checked as `--url` is).
 * @example writeFileSync('monitor.yaml', starterMonitorConfig({ url: 'http://127.0.0.1:8000/v1' }))
 */
export function starterMonitorConfig(q: QuickTarget = { url: STARTER_URL }): string {
  const target = quickMonitorConfig(q).targets[0]!;
  const every = q.every ?? M.every;
  return alignComments(`# inferscope monitor configuration: inferscope monitor --config THIS_FILE (--check validates it and exits).
# Durations: 500ms, 30s, 5m, 2h, 7d. Names: letters, digits, ".", "_" or "-".
listen: ${M.listen} \t# /metrics, /api and the dashboard (127.0.0.1 unless --auth-token-env is given)
store: ${M.store} \t# SQLite file for probes, scrapes and alerts
location: ${M.location} \t# label of this instance's probes (several locations can share a store)
retention: ${M.retention} \t# raw probes kept this long; older ones are rolled up hourly, not dropped
jitter: ${M.jitter} \t# each probe starts up to this share of its interval late, so targets are not hit in lockstep
# shared_store: postgres://user@db.example/inferscope   # several monitors copy their probes into one database
# otlp: { endpoint: http://127.0.0.1:4318/v1/metrics }  # also export over OTLP/HTTP (GenAI semantic conventions)

targets:
  - name: ${y(target.name)}
    url: ${y(target.url)}
    ${target.model ? `model: ${y(target.model)}` : '# model: my-model'} \t# default: the first from GET /models
    api: ${target.api} \t# chat | completions
    ${target.apiKeyEnv ? `api_key_env: ${target.apiKeyEnv}` : '# api_key_env: MY_API_KEY'} \t# the variable holding the key; never logged or stored
    labels: {} \t# e.g. { provider: self-hosted, region: eu }, on every series of this target
    scrape: auto \t# the target's own /metrics (auto), a URL, or off
    scrape_every: ${M.scrapeEvery}
    # scrape_extra: [ http://127.0.0.1:9400/metrics ]   # e.g. the DCGM exporter beside the server

probes:
  - name: default
    every: ${y(every)} \t# between probes of one target; a probe never overlaps the previous one
    input_tokens: ${M.inputTokens} \t# each prompt opens with a fresh nonce, so no cache answers it
    output_tokens: ${M.outputTokens}
    timeout: ${M.timeout}
    targets: "*" \t# "*" or a list of target names

slos: []
# slos:
#   - probe: default
#     targets: "*"
#     ttft: 2s                      # a probe meets the SLO when it succeeded within every limit given
#     e2e: 15s
#     objective: ${M.sloObjective}                # share of probes meeting it over the window; burn-rate alerts follow
#     window: ${M.sloWindow}

alerts:
  failing: { k: ${M.failing.k}, n: ${M.failing.n} } \t# "probe failing": k of the last n probes of a target failed
  min_probes: ${M.minProbes} \t# burn-rate alerts need this many probes in their long window
  webhooks: []
  # webhooks: [ { url: http://127.0.0.1:9000/hook, format: json } ]   # or format: slack
  # regression: { window: 1h, baseline: 24h, metrics: [ttft_p50, e2e_p50], threshold_pct: 20 }   # as compare judges
`);
}

/** Inline comments (marked by a tab in the template) start in one column, past the longest value. */
function alignComments(text: string): string {
  const lines = text.split('\n');
  const width = Math.max(...lines.map((l) => (l.includes(' \t# ') ? l.indexOf(' \t# ') : 0))) + 2;
  return lines.map((l) => (l.includes(' \t# ') ? l.replace(/ \t# /, (_m) => ' '.repeat(width - l.indexOf(' \t# ')) + '# ') : l)).join('\n');
}
