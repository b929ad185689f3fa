import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli } from './support/cli.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Commands from `inferscope --help`, with the subcommands of those that have them. */
async function commands(): Promise<string[][]> {
  const top = await runCli(['--help']);
  const names = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
  const out: string[][] = [];
  for (const name of names) {
    const help = await runCli([name, '--help']);
    const subs = help.stdout.includes('Commands:')
      ? [...help.stdout.split('Commands:')[1]!.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((n) => n !== 'help')
      : [];
    if (subs.length === 0) out.push([name]);
    else for (const sub of subs) out.push([name, sub]);
  }
  return out;
}

test('every command and every option in --help is in the README', async () => {
  const all = await commands();
  assert.ok(all.length >= 10, `found ${all.length} commands`);
  const missing: string[] = [];
  for (const cmd of all) {
    if (!README.includes(`inferscope ${cmd[0]}`)) missing.push(`command ${cmd[0]}`);
    const help = await runCli([...cmd, '--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const m of help.stdout.matchAll(/^\s+(?:-[a-zA-Z], )?(--[a-z0-9-]+)/gm)) {
      const flag = m[1]!;
      if (flag !== '--help' && !README.includes(flag)) missing.push(`${cmd.join(' ')} ${flag}`);
    }
  }
  assert.deepEqual(missing, []);
});
