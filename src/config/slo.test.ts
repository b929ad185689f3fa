import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.js';
import { formatSlo, isEmptySlo, parseSlo } from './slo.js';

test('parses SLO specs into milliseconds', () => {
  assert.deepEqual(parseSlo('ttft=500ms,tpot=50ms,e2e=10s'), { ttft_ms: 500, tpot_ms: 50, e2e_ms: 10_000 });
  assert.deepEqual(parseSlo(' itl = 200 , TTFO=1s '), { itl_ms: 200, ttfo_ms: 1000 });
});

test('rejects bad specs naming the allowed forms', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['ttft', /not KEY=DURATION/],
    ['=5ms', /not KEY=DURATION/],
    ['latency=5ms', /unknown SLO "latency"/],
    ['ttft=fast', /invalid duration/],
    ['ttft=0ms', /greater than zero/],
    ['ttft=1s,ttft=2s', /given twice/],
    ['ttft=1s,,e2e=2s', /not KEY=DURATION/],
  ];
  for (const [spec, why] of cases) {
    assert.throws(
      () => parseSlo(spec),
      (err: unknown) => err instanceof ConfigError && err.field === '--slo' && why.test(err.message) && (/ttft, tpot, e2e/.test(err.message) || /twice/.test(err.message)),
      spec,
    );
  }
});

test('isEmptySlo and formatSlo', () => {
  assert.equal(isEmptySlo({}), true);
  assert.equal(isEmptySlo(null), true);
  assert.equal(isEmptySlo({ e2e_ms: 1 }), false);
  assert.equal(formatSlo({ e2e_ms: 10_000, ttft_ms: 500 }), 'ttft=500ms,e2e=10000ms');
  assert.deepEqual(parseSlo(formatSlo({ ttft_ms: 500, tpot_ms: 50 })), { ttft_ms: 500, tpot_ms: 50 });
});
