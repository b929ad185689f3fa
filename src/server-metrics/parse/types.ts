/** Metric family types across Prometheus text 0.0.4 and OpenMetrics 1.0 (`untyped` is reported as `unknown`). */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown';

/** Which text format an exposition is in; decides timestamp units and whether `# EOF` is required. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

export type Labels = Record<string, string>;

/** An OpenMetrics exemplar attached to a sample (`... 8 # {trace_id="x"} 0.67 1520879607.789`). */
export interface Exemplar {
  labels: Labels;
  value: number;
  /** Milliseconds since the Unix epoch (OpenMetrics writes seconds; converted here). */
  timestamp?: number;
}

export interface Sample {
  /** Full sample name, suffix included (`vllm:prompt_tokens_total`, `x_bucket`). */
  name: string;
  labels: Labels;
  value: number;
  /** Milliseconds since the Unix epoch in both formats (OpenMetrics seconds are converted). */
  timestamp?: number;
  exemplar?: Exemplar;
}

/**
 * One metric family. Counter families are named without `_total` in both formats (the OpenMetrics
 * convention), so `# TYPE vllm:prompt_tokens_total counter` from prometheus_client gives family
 * `vllm:prompt_tokens` whose sample is still `vllm:prompt_tokens_total`.
 */
export interface MetricFamily {
  name: string;
  type: MetricType;
  /** HELP text, unescaped; '' when absent. */
  help: string;
  /** OpenMetrics UNIT; '' when absent. */
  unit: string;
  samples: Sample[];
}
