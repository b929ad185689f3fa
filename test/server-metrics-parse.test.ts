import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExposition, resolveFormat } from '../src/server-metrics/parse/parse-exposition.js';
import { ParseError } from '../src/server-metrics/parse/parse-error.js';
import type { MetricFamily } from '../src/server-metrics/parse/types.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/metrics/${name}`, import.meta.url), 'utf8');
const byName = (fams: MetricFamily[], name: string) => {
  const f = fams.find((x) => x.name === name);
  assert.ok(f, `family ${name} missing; have ${fams.map((x) => x.name).join(', ')}`);
  return f;
};
function throwsAt(text: string, line: number, pattern: RegExp, options = {}) {
  assert.throws(
    () => parseExposition(text, options),
    (err: unknown) => err instanceof ParseError && err.line === line && pattern.test(err.message),
  );
}

test('prometheus_client 0.0.4 counter: TYPE carries _total, family named without it; _created stays a gauge', () => {
  const fams = parseExposition(
    '# HELP vllm:prompt_tokens_total Number of prefill tokens.\n' +
      '# TYPE vllm:prompt_tokens_total counter\n' +
      'vllm:prompt_tokens_total{model_name="m",engine="0"} 12345.0\n' +
      '# HELP vllm:prompt_tokens_created Number of prefill tokens.\n' +
      '# TYPE vllm:prompt_tokens_created gauge\n' +
      'vllm:prompt_tokens_created{model_name="m",engine="0"} 1.7563e+09\n',
  );
  assert.deepEqual(fams.map((f) => [f.name, f.type]), [
    ['vllm:prompt_tokens', 'counter'],
    ['vllm:prompt_tokens_created', 'gauge'],
  ]);
  assert.equal(fams[0]!.help, 'Number of prefill tokens.');
  assert.deepEqual(fams[0]!.samples, [{ name: 'vllm:prompt_tokens_total', labels: { model_name: 'm', engine: '0' }, value: 12345 }]);
});

test('TGI-style counter without _total keeps its name', () => {
  const fams = parseExposition('# TYPE tgi_request_count counter\ntgi_request_count 120\n');
  assert.deepEqual(fams, [
    { name: 'tgi_request_count', type: 'counter', help: '', unit: '', samples: [{ name: 'tgi_request_count', labels: {}, value: 120 }] },
  ]);
});

test('a histogram whose name ends in _total groups its _bucket/_sum/_count', () => {
  const fams = parseExposition(
    '# TYPE vllm:iteration_tokens_total histogram\n' +
      'vllm:iteration_tokens_total_sum 50\n' +
      'vllm:iteration_tokens_total_bucket{le="1.0"} 3\n' +
      'vllm:iteration_tokens_total_bucket{le="+Inf"} 5\n' +
      'vllm:iteration_tokens_total_count 5\n',
  );
  assert.equal(fams.length, 1);
  assert.equal(fams[0]!.name, 'vllm:iteration_tokens_total');
  assert.equal(fams[0]!.type, 'histogram');
  assert.deepEqual(fams[0]!.samples.map((s) => s.name), [
    'vllm:iteration_tokens_total_sum',
    'vllm:iteration_tokens_total_bucket',
    'vllm:iteration_tokens_total_bucket',
    'vllm:iteration_tokens_total_count',
  ]);
});

test('OpenMetrics fixture: UNIT, _total/_created, summary, info, stateset, gaugehistogram, exemplars, quoted names', () => {
  const fams = parseExposition(fixture('openmetrics.txt'));
  const summary = byName(fams, 'acme_http_router_request_seconds');
  assert.equal(summary.type, 'summary');
  assert.equal(summary.unit, 'seconds');
  assert.equal(summary.help, "Latency though all of ACME's HTTP request router.");
  assert.equal(summary.samples.length, 6);
  const cpu = byName(fams, 'process_cpu_seconds');
  assert.equal(cpu.type, 'counter');
  assert.deepEqual(cpu.samples.map((s) => [s.name, s.value]), [['process_cpu_seconds_total', 4.20072246e6]]);
  const prompt = byName(fams, 'vllm:prompt_tokens');
  assert.deepEqual(prompt.samples.map((s) => s.name), ['vllm:prompt_tokens_total', 'vllm:prompt_tokens_created']);
  assert.equal(prompt.samples[0]!.timestamp, 1605281325500, 'OpenMetrics seconds become ms');
  const iter = byName(fams, 'vllm:iteration_tokens_total');
  assert.equal(iter.type, 'histogram');
  assert.equal(iter.samples.length, 6);
  assert.deepEqual(iter.samples[1]!.exemplar, { labels: { trace_id: 'KOO5S4vxi0o' }, value: 7, timestamp: 1605281325250 });
  assert.deepEqual(iter.samples[2]!.exemplar, { labels: { trace_id: 'oHg5SJYRHA0' }, value: 9000 });
  const info = byName(fams, 'build');
  assert.equal(info.type, 'info');
  assert.deepEqual(info.samples[0]!.labels, { version: '1.2.3', revision: 'abc"d\\e' });
  assert.equal(byName(fams, 'feature_flags').type, 'stateset');
  assert.equal(byName(fams, 'feature_flags').samples.length, 2);
  const gh = byName(fams, 'queue_depth');
  assert.equal(gh.type, 'gaugehistogram');
  assert.deepEqual(gh.samples.map((s) => s.name), ['queue_depth_bucket', 'queue_depth_bucket', 'queue_depth_gcount', 'queue_depth_gsum']);
  assert.ok(Number.isNaN(byName(fams, 'mystery').samples[0]!.value));
  const dotted = byName(fams, 'my.dotted.metric');
  assert.equal(dotted.type, 'gauge');
  assert.deepEqual(dotted.samples[0], { name: 'my.dotted.metric', labels: { 'the.label': 'v' }, value: -Infinity });
});

test('OpenMetrics: missing # EOF and content after it are errors; in 0.0.4 # EOF is a comment', () => {
  throwsAt('# TYPE a gauge\na 1\n', 2, /EOF/, { contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
  throwsAt('a 1\n# EOF\na 2\n', 3, /after # EOF/, { format: 'openmetrics' });
  const fams = parseExposition('a 1\n# EOF\nb 2\n', { contentType: 'text/plain; version=0.0.4' });
  assert.deepEqual(fams.map((f) => f.name), ['a', 'b']);
});

test('format resolution: content type first, then a trailing # EOF', () => {
  assert.equal(resolveFormat('a 1\n', { contentType: 'application/openmetrics-text; version=1.0.0' }), 'openmetrics');
  assert.equal(resolveFormat('a 1\n# EOF\n', { contentType: 'text/plain; version=0.0.4' }), 'prometheus');
  assert.equal(resolveFormat('a 1\n# EOF\n\n'), 'openmetrics');
  assert.equal(resolveFormat('a 1\n'), 'prometheus');
});

test('escapes in HELP and label values', () => {
  const fams = parseExposition(
    '# HELP m A \\\\ backslash\\nand newline \\t kept\n' + 'm{a="x\\\\y",b="say \\"hi\\"",c="l1\\nl2",d="\\t"} 1\n',
  );
  assert.equal(fams[0]!.help, 'A \\ backslash\nand newline \\t kept');
  assert.deepEqual(fams[0]!.samples[0]!.labels, { a: 'x\\y', b: 'say "hi"', c: 'l1\nl2', d: '\\t' });
});

test('special values and Go float syntax', () => {
  const text = ['a NaN', 'b +Inf', 'c -Inf', 'd 1.23457e+06', 'e -0.5', 'f .5', 'g 1E3', 'h Inf', 'i nan'].join('\n') + '\n';
  const values = parseExposition(text).map((f) => f.samples[0]!.value);
  assert.ok(Number.isNaN(values[0]!));
  assert.deepEqual(values.slice(1, 8), [Infinity, -Infinity, 1234570, -0.5, 0.5, 1000, Infinity]);
  assert.ok(Number.isNaN(values[8]!));
  throwsAt('ok 1\nbad 0x10\n', 2, /invalid value "0x10"/);
  throwsAt('bad 1,5\n', 1, /invalid value/);
  throwsAt('bad\n', 1, /missing value/);
});

test('timestamps: integer ms in 0.0.4 (negative allowed), fractional seconds in OpenMetrics', () => {
  const fams = parseExposition('a 1 1700000000123\nb 2 -5\n');
  assert.equal(fams[0]!.samples[0]!.timestamp, 1700000000123);
  assert.equal(fams[1]!.samples[0]!.timestamp, -5);
  throwsAt('a 1 17.5\n', 1, /integer milliseconds/);
  const om = parseExposition('a 1 1700000000.25\n# EOF\n');
  assert.equal(om[0]!.samples[0]!.timestamp, 1700000000250);
  throwsAt('a 1 2 3\n', 1, /unexpected text/);
});

test('blanks and tabs between tokens, trailing comma, empty braces, CRLF, leading blanks', () => {
  const fams = parseExposition('#\tTYPE  x \t gauge\r\n  x\t{ a = "1" ,\tb="2", }\t 3 \t\r\ny{} 4\n');
  assert.equal(fams[0]!.type, 'gauge');
  assert.deepEqual(fams[0]!.samples[0], { name: 'x', labels: { a: '1', b: '2' }, value: 3 });
  assert.deepEqual(fams[1]!.samples[0], { name: 'y', labels: {}, value: 4 });
  throwsAt('y{,} 5\n', 1, /label name/);
});

test('colons: fine in metric names, rejected in label names', () => {
  const fams = parseExposition('llamacpp:prompt_tokens_total 5\n');
  assert.equal(fams[0]!.name, 'llamacpp:prompt_tokens_total');
  throwsAt('m{a:b="1"} 1\n', 1, /colon/);
  throwsAt('m{:a="1"} 1\n', 1, /label name/);
});

test('quoted names: {"name", labels}, quoted label names, quoted names in metadata', () => {
  const fams = parseExposition(
    '# HELP "my.metric" Dotted.\n# TYPE "my.metric" counter\n{"my.metric", "http.method"="GET", code="200",} 7\n{"my.metric"} 8\n',
  );
  assert.equal(fams.length, 1);
  assert.equal(fams[0]!.type, 'counter');
  assert.equal(fams[0]!.help, 'Dotted.');
  assert.deepEqual(fams[0]!.samples, [
    { name: 'my.metric', labels: { 'http.method': 'GET', code: '200' }, value: 7 },
    { name: 'my.metric', labels: {}, value: 8 },
  ]);
  throwsAt('{a="b"} 1\n', 1, /no metric name/);
  throwsAt('m{"x", "y"} 1\n', 1, /expected '='/);
});

test('untyped becomes unknown; samples without TYPE get a family each; metadata matched after samples', () => {
  const fams = parseExposition('# TYPE u untyped\nu 1\nfree_bucket{le="1"} 1\nfree_sum 2\n');
  assert.deepEqual(fams.map((f) => [f.name, f.type]), [
    ['u', 'unknown'],
    ['free_bucket', 'unknown'],
    ['free_sum', 'unknown'],
  ]);
});

test('interleaved families fall back to the declared family by known suffix', () => {
  const fams = parseExposition('# TYPE h histogram\nh_bucket{le="+Inf"} 1\n# TYPE g gauge\ng 1\nh_count 1\nh_sum 0.5\n');
  assert.deepEqual(byName(fams, 'h').samples.map((s) => s.name), ['h_bucket', 'h_count', 'h_sum']);
  assert.equal(fams.length, 2);
});

test('malformed lines report their line number', () => {
  throwsAt('a 1\nb{x="1" 2\n', 2, /expected ',' or '}'/);
  throwsAt('a 1\n\nc{x="unterminated} 2\n', 3, /unterminated/);
  throwsAt('m{a="1",a="2"} 1\n', 1, /duplicate label a/);
  throwsAt('# TYPE m weird\n', 1, /unknown metric type "weird"/);
  throwsAt('# TYPE m gauge\n# TYPE m counter\n', 2, /second TYPE/);
  throwsAt('m 1\n# TYPE m gauge\n', 2, /after its samples/);
  throwsAt('m{a=1} 1\n', 1, /expected '"'/);
  throwsAt('m 1 # {a="b"}\n', 1, /exemplar has no value/);
  throwsAt('# HELP\n', 1, /metric name/);
});

test('plain comments and blank lines are ignored; a __proto__ label is an ordinary label', () => {
  const fams = parseExposition('# just a comment\n\n# HELPER not metadata\nm{__proto__="x"} 1\n');
  const labels = fams[0]!.samples[0]!.labels;
  assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  assert.equal(labels['__proto__'], 'x');
  assert.deepEqual(Object.keys(labels), ['__proto__']);
});

test('every fixture parses', () => {
  for (const name of ['vllm-v1.txt', 'vllm-v0.txt', 'sglang.txt', 'tgi.txt', 'llamacpp.txt', 'dcgm.txt', 'triton-trtllm.txt', 'trtllm-serve.txt']) {
    const fams = parseExposition(fixture(name));
    assert.ok(fams.length > 5, name);
    assert.ok(fams.every((f) => f.type !== 'unknown'), `${name}: every family is typed`);
  }
});
