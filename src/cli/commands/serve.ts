import type { Command } from 'commander';
import { oneOf, portNumber, positiveInt } from '../parse-flags.js';
import { PRESET_NAMES } from '../../engine/gguf/presets.js';
import { DEFAULTS } from '../../config/defaults.js';
import { ENGINE_BACKENDS, type EngineBackendChoice } from '../../engine/backend.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the embedded OpenAI-compatible inference server (llama.cpp, CPU)')
    .option('--model <path.gguf>', 'serve this GGUF model (default: a generated random-weight model)')
    .option('--preset <name>', 'generated model preset: tiny | small | medium', oneOf('--preset', PRESET_NAMES), DEFAULTS.engine.preset)
    .option('--port <n>', 'port (0 = any free port)', portNumber('--port'), DEFAULTS.serve.port)
    .option('--host <addr>', 'address to listen on', DEFAULTS.serve.host)
    .option('--parallel <n>', 'requests decoded together; more wait in a queue', positiveInt('--parallel'), DEFAULTS.engine.parallel)
    .option('--ctx-size <tokens>', 'context per sequence, prompt + output, at most the model\'s training context', positiveInt('--ctx-size'), DEFAULTS.serve.contextSize)
    .option('--engine-backend <name>', 'auto | llama-server | node-llama-cpp (auto: llama-server once `inferscope build-engine` has built it)', oneOf('--engine-backend', ENGINE_BACKENDS), DEFAULTS.engine.backend)
    .action(async (flags: { model?: string; preset: string; port: number; host: string; parallel: number; ctxSize: number; engineBackend: EngineBackendChoice }) => {
      const { serveCommand } = await import('../../engine/serve-command.js');
      await serveCommand({
        ...(flags.model ? { model: flags.model } : {}),
        preset: flags.preset,
        port: flags.port,
        host: flags.host,
        parallel: flags.parallel,
        contextSize: flags.ctxSize,
        backend: flags.engineBackend,
      });
    });
}
