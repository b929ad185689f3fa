/**
 * The probes as OpenTelemetry metrics over OTLP/HTTP (the official JS SDK), named by the GenAI semantic conventions:
 * gen_ai.client.operation.duration, gen_ai.client.operation.time_to_first_chunk and
 * gen_ai.client.operation.time_per_output_chunk in seconds, gen_ai.client.token.usage in tokens, with the
 * conventions' attributes (gen_ai.operation.name, gen_ai.request.model, server.address, error.type) plus the
 * monitor's own (inferscope.target, inferscope.probe, inferscope.location).
 */
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { itlMs } from '../../stats/request-metrics.js';
import { TOOL_VERSION } from '../../version.js';
import type { ProbeResult } from '../probe/probe-result.js';

/** Bucket bounds the conventions recommend for durations (s) and token counts. */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const CHUNK_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5];

export interface OtlpTargetInfo {
  api: 'chat' | 'completions';
  model: string | null;
  url: string;
}

export class OtlpProbeMetrics {
  readonly #provider: MeterProvider;
  readonly #duration;
  readonly #ttfc;
  readonly #tpoc;
  readonly #tokens;

  constructor(
    endpoint: string,
    private readonly targets: ReadonlyMap<string, OtlpTargetInfo>,
    options: { exportIntervalMs?: number; location: string },
  ) {
    const exporter = new OTLPMetricExporter({ url: endpoint });
    const view = (name: string, boundaries: number[]): ViewOptions => ({
      instrumentName: name,
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries } },
    });
    this.#provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'inferscope-monitor', 'service.version': TOOL_VERSION, 'inferscope.location': options.location }),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: options.exportIntervalMs ?? 15_000 })],
      views: [
        view('gen_ai.client.operation.duration', DURATION_BUCKETS),
        view('gen_ai.client.operation.time_to_first_chunk', DURATION_BUCKETS),
        view('gen_ai.client.operation.time_per_output_chunk', CHUNK_BUCKETS),
        view('gen_ai.client.token.usage', TOKEN_BUCKETS),
      ],
    });
    const meter = this.#provider.getMeter('inferscope', TOOL_VERSION);
    this.#duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', description: 'GenAI operation duration (a probe: send to last chunk).' });
    this.#ttfc = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', { unit: 's', description: 'Time from sending a probe to its first token-bearing chunk.' });
    this.#tpoc = meter.createHistogram('gen_ai.client.operation.time_per_output_chunk', { unit: 's', description: 'Time between successive token-bearing chunks of a probe.' });
    this.#tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', description: 'Input and output tokens of a probe.' });
  }

  observe(p: ProbeResult): void {
    const t = this.targets.get(p.target);
    const address = t ? safeHost(t.url) : null;
    const attrs: Record<string, string | number> = {
      'gen_ai.operation.name': t?.api === 'completions' ? 'text_completion' : 'chat',
      'gen_ai.request.model': t?.model ?? 'unknown',
      ...(address ? { 'server.address': address.host, ...(address.port ? { 'server.port': address.port } : {}) } : {}),
      'inferscope.target': p.target,
      'inferscope.probe': p.probe,
      'inferscope.location': p.location,
      ...(p.ok ? {} : { 'error.type': p.errorClass ?? 'unknown' }),
    };
    // Failed probes count too (with error.type), timed to when they ended.
    this.#duration.record((p.e2eMs ?? p.record.t_end - p.record.t_send) / 1000, attrs);
    if (!p.ok) return;
    if (p.ttftMs !== null) this.#ttfc.record(p.ttftMs / 1000, attrs);
    for (const gap of itlMs(p.record)) this.#tpoc.record(gap / 1000, attrs);
    if (p.record.input_tokens !== null) this.#tokens.record(p.record.input_tokens, { ...attrs, 'gen_ai.token.type': 'input' });
    if (p.outputTokens !== null) this.#tokens.record(p.outputTokens, { ...attrs, 'gen_ai.token.type': 'output' });
  }

  /** Exports what is pending and stops. */
  async close(): Promise<void> {
    await this.#provider.shutdown().catch(() => undefined);
  }
}

function safeHost(url: string): { host: string; port: number | null } | null {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port ? Number(u.port) : null };
  } catch {
    return null;
  }
}
