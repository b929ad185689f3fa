/**
 * HTML report benchmark: renders a synthetic run (default 100,000 requests) and prints the time to build the
 * chart data and page, and the page size. Usage: node --import tsx bench/report.ts [requests] [out.html]
 */
import { writeFileSync } from 'node:fs';
import { renderHtmlReport } from '../src/report/html/render-html.js';
import { syntheticRun } from '../test/support/synthetic-run.js';

const requests = Number(process.argv[2] ?? 100_000);
const out = process.argv[3];

const t0 = performance.now();
const run = syntheticRun({ requests, rate: 200, label: `synthetic ${requests}` });
const t1 = performance.now();
const chunks = run.records.reduce((sum, r) => sum + r.chunks.length, 0);
const html = renderHtmlReport([run]);
const t2 = performance.now();
const html2 = renderHtmlReport([run, syntheticRun({ requests, rate: 200, seed: 2, slowdown: 0.8, label: 'B' })]);
const t3 = performance.now();
if (out) writeFileSync(out, html);

const mb = (s: string): string => (Buffer.byteLength(s) / 1e6).toFixed(2);
console.log(`requests            ${requests.toLocaleString('en-US')} (${chunks.toLocaleString('en-US')} chunks)`);
console.log(`synthetic run       ${((t1 - t0) / 1000).toFixed(2)} s (generation and summary, not the report)`);
console.log(`render, 1 run       ${((t2 - t1) / 1000).toFixed(2)} s, ${mb(html)} MB`);
console.log(`render, 2 runs      ${((t3 - t2) / 1000).toFixed(2)} s incl. generating run B, ${mb(html2)} MB`);
console.log(`heap used           ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
