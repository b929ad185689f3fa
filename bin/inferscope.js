#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install` through the prepare script, or `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('inferscope is not built: run `npm run build` (npm install does it)\n');
  process.exit(1);
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv);
