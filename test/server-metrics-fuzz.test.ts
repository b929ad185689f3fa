import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseExposition } from '../src/server-metrics/parse/parse-exposition.js';
import { ParseError } from '../src/server-metrics/parse/parse-error.js';
import { extractConcepts } from '../src/server-metrics/engines/extract.js';
import { createRng, type Rng } from '../src/util/rng.js';

const dir = new URL('./fixtures/metrics/', import.meta.url);
const fixtures = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8'));
const INTERESTING = ['{', '}', '"', ',', '=', '#', '\n', ' ', '\t', '\\', '+', '-', '.', 'e', '0', '9', 'a', ':', '_', 'é', '\r', '# EOF\n', 'Inf', 'NaN', '_total', '_bucket'];

function mutate(text: string, rng: Rng): string {
  let s = text;
  const edits = rng.int(1, 8);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(0, s.length);
    switch (rng.int(0, 5)) {
      case 0: // delete a few characters
        s = s.slice(0, at) + s.slice(at + rng.int(1, 5));
        break;
      case 1: // insert a token that matters to the grammar
        s = s.slice(0, at) + INTERESTING[rng.int(0, INTERESTING.length - 1)] + s.slice(at);
        break;
      case 2: // duplicate a range
        s = s.slice(0, at) + s.slice(at, at + rng.int(1, 200)) + s.slice(at);
        break;
      case 3: // truncate
        s = s.slice(0, at);
        break;
      case 4: // swap two lines
      default: {
        const lines = s.split('\n');
        const a = rng.int(0, lines.length - 1);
        const b = rng.int(0, lines.length - 1);
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        s = lines.join('\n');
      }
    }
  }
  return s;
}

test('random mutations of fixtures either parse or throw ParseError, quickly', () => {
  const rng = createRng(20260101);
  let parsed = 0;
  let rejected = 0;
  let slowest = 0;
  for (let i = 0; i < 3000; i++) {
    const text = mutate(fixtures[rng.int(0, fixtures.length - 1)]!, rng);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const t0 = performance.now();
      try {
        const fams = parseExposition(text, { format });
        extractConcepts(fams); // mapping must survive whatever parses
        parsed++;
      } catch (err) {
        if (!(err instanceof ParseError)) {
          assert.fail(`non-ParseError ${String(err)} for input:\n${JSON.stringify(text.slice(0, 2000))}`);
        }
        assert.ok(err.line >= 1, 'line number present');
        rejected++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
  }
  assert.ok(parsed > 100 && rejected > 100, `both outcomes exercised (parsed ${parsed}, rejected ${rejected})`);
  assert.ok(slowest < 250, `slowest parse ${slowest.toFixed(1)} ms`);
});

test('random byte strings never crash the parser', () => {
  const rng = createRng(7);
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const n = rng.int(0, 80);
    for (let k = 0; k < n; k++) s += rng.next() < 0.7 ? INTERESTING[rng.int(0, INTERESTING.length - 1)] : String.fromCharCode(rng.int(0, 0x2fff));
    try {
      parseExposition(s);
    } catch (err) {
      assert.ok(err instanceof ParseError, `non-ParseError for ${JSON.stringify(s)}: ${String(err)}`);
    }
  }
});
