#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install` through the prepare script, or `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('inferscope is not built: run `npm run build` (npm install does it)\n');
  process.exit(1);
}
// A reader that stops early (`inferscope runs export ID | head`) closes the pipe: that is the end, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv);
