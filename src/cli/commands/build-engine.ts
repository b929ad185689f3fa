import type { Command } from 'commander';

/** `inferscope build-engine`: builds llama.cpp's llama-server once, so the embedded engine runs at full speed. */
export function registerBuildEngine(program: Command, setExit: (code: number) => void): void {
  program
    .command('build-engine')
    .description("Build llama.cpp's llama-server from the source bundled with node-llama-cpp (once, ~10 min on 2 cores); the embedded engine then runs on it")
    .option('--path', 'print where the built llama-server is (exit 1 if it is not built) and build nothing')
    .action(async (flags: { path?: boolean }) => {
      const { buildLlamaServer, findLlamaServer } = await import('../../engine/llama-server/binary.js');
      const found = findLlamaServer();
      if (found || flags.path) {
        if (found) process.stdout.write(`${found}\n`);
        else process.stderr.write('llama-server is not built; run `inferscope build-engine`\n');
        setExit(found ? 0 : 1);
        return;
      }
      const started = performance.now();
      process.stderr.write('building llama-server from the bundled llama.cpp source (no download)\n');
      const binary = await buildLlamaServer((line) => process.stderr.write(`  ${line}...\n`));
      process.stderr.write(`built in ${((performance.now() - started) / 60_000).toFixed(1)} min; the embedded engine (bench, sweep, serve) now runs on it\n`);
      process.stdout.write(`${binary}\n`);
    });
}
