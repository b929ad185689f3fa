#!/usr/bin/env node
// Compiles src/ to dist/ (the JavaScript that `inferscope` runs) and copies the report page's static files beside it.
// Runs on `npm install` (prepare) and before `npm test`.
import { cpSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const res = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (res.status !== 0) process.exit(res.status ?? 1);
cpSync(join(root, 'src/report/html/page'), join(root, 'dist/report/html/page'), {
  recursive: true,
  filter: (src) => !src.endsWith('.ts'),
});
// The monitor's dashboard page script and stylesheet are served as files.
cpSync(join(root, 'src/monitor/http/dashboard'), join(root, 'dist/monitor/http/dashboard'), { recursive: true });
// The roofline's model and GPU tables are data files read at run time.
cpSync(join(root, 'src/analysis/data'), join(root, 'dist/analysis/data'), { recursive: true });
