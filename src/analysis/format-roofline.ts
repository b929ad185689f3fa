import type { Roofline } from './roofline.js';

const g = (x: number, unit: string): string => {
  const units: Array<[number, string]> = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, p] of units) if (Math.abs(x) >= v) return `${(x / v).toFixed(2)} ${p}${unit}`;
  return `${x.toFixed(0)} ${unit}`;
};

export function formatRoofline(r: Roofline): string {
  const tp = r.tp > 1 ? ` x${r.tp} (tensor parallel)` : '';
  return [
    `${r.model} on ${r.gpu}${tp}, weights ${r.dtype}, KV cache ${r.kv_dtype}`,
    `parameters         ${(r.parameters.total / 1e9).toFixed(2)}B total, ${(r.parameters.active / 1e9).toFixed(2)}B active per token; weights ${g(r.weight_bytes, 'B')}`,
    `FLOPs per token    prefill ${g(r.flops_per_prefill_token, 'FLOP')} (prompt ${r.prompt_tokens}), decode ${g(r.flops_per_decode_token, 'FLOP')} (context ${r.context})`,
    `KV cache           ${r.kv_bytes_per_token.toLocaleString('en-US')} bytes per token`,
    `decode step        batch ${r.batch}: ${g(r.bytes_per_decode_step, 'B')} moved, TPOT >= ${r.tpot_min_ms.toFixed(2)} ms (${r.decode_bound}-bound)`,
    `prefill            TTFT >= ${r.ttft_min_ms.toFixed(1)} ms for ${r.prompt_tokens} prompt tokens`,
    `ridge point        batch ${r.ridge_batch ?? '-'}: the weights alone turn decode compute-bound there (KV reads grow with the batch too)`,
    `memory             up to ${r.max_batch_in_memory} sequences of ${r.context} tokens fit (90% of memory, after the weights)` +
      (r.best_case_output_tokens_per_s !== null ? `; best case ${r.best_case_output_tokens_per_s.toFixed(0)} output tok/s there` : ''),
    'bounds: ideal kernels and tensor parallelism, no scheduling or communication overhead; measured runs land above these latencies.',
  ].join('\n');
}
