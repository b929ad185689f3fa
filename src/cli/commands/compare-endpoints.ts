import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { assertWritableDir } from '../../config/writable-path.js';
import { toOptions, type BenchFlags } from './bench.js';

/** Bench options that are per target here, or belong to a single run, or to the embedded engine. */
const NOT_FROM_BENCH = new Set([
  '--url', '--model', '--api-key-env', '--out', '--json', '--html', '--csv', '--threshold', '--trace', '--time-scale',
  '--preset', '--engine-model', '--parallel', '--ctx-size', '--engine-backend', '--shard', '--start-at', '--workers',
]);

/** NAME=VALUE (the value may hold '='), collected into a map by name. */
function byName(flag: string) {
  return (text: string, previous: Record<string, string> = {}): Record<string, string> => {
    const at = text.indexOf('=');
    if (at < 1 || at === text.length - 1) throw new ConfigError(flag, `${flag}: give NAME=VALUE, got ${JSON.stringify(text)}`);
    const name = text.slice(0, at).trim();
    if (name in previous && flag === '--target') throw new ConfigError(flag, `${flag}: the name ${JSON.stringify(name)} is given twice`);
    return { ...previous, [name]: text.slice(at + 1).trim() };
  };
}

interface EndpointFlags extends BenchFlags {
  target?: Record<string, string>;
  targetModel?: Record<string, string>;
  targetGpus?: Record<string, string>;
  targetKeyEnv?: Record<string, string>;
  shape?: string[];
  out?: string;
  json?: boolean;
}

/** `inferscope compare-endpoints`: the same workload against several endpoints, one after another, as a leaderboard. */
export function registerCompareEndpoints(program: Command, setExit: (code: number) => void): void {
  const bench = program.commands.find((c) => c.name() === 'bench');
  if (!bench) throw new Error('register bench before compare-endpoints');
  const cmd = program
    .command('compare-endpoints')
    .description('Run the same workload against several endpoints in turn: a leaderboard of speed (tokens, characters, words per second), latency, errors, cost, scaling and quality')
    .option('--target <name=url>', 'an endpoint to compare, e.g. vllm=http://127.0.0.1:8000/v1 (repeatable)', byName('--target'))
    .option('--target-model <name=model>', "the model to ask an endpoint for (default: the first of its /models)", byName('--target-model'))
    .option('--target-gpus <name=n>', 'GPUs behind an endpoint: adds per-GPU throughput and scaling efficiency', byName('--target-gpus'))
    .option('--target-key-env <name=VAR>', "environment variable holding an endpoint's API key", byName('--target-key-env'))
    .option('--shape <in/out>', 'a workload of input/output tokens, e.g. 100/300 or 1k/1k (repeatable; default: --input-tokens/--output-tokens)', (v: string, p: string[] = []) => [...p, v])
    .option('--out <dir>', 'write endpoints.json here')
    .option('--json', 'print endpoints.json on stdout (and nothing else there)');
  for (const option of bench.options) if (option.long && !NOT_FROM_BENCH.has(option.long)) cmd.addOption(option);
  cmd.action(async (flags: EndpointFlags) => {
    const { target = {}, targetModel = {}, targetGpus = {}, targetKeyEnv = {}, shape = [], out, json, ...benchFlags } = flags;
    const names = Object.keys(target);
    if (names.length === 0) throw new ConfigError('--target', 'compare-endpoints needs --target NAME=URL, once per endpoint');
    for (const [flag, map] of [['--target-model', targetModel], ['--target-gpus', targetGpus], ['--target-key-env', targetKeyEnv]] as const) {
      for (const name of Object.keys(map)) if (!(name in target)) throw new ConfigError(flag, `${flag}: no --target named ${JSON.stringify(name)} (targets: ${names.join(', ')})`);
    }
    const targets = names.map((name) => {
      const gpus = targetGpus[name] === undefined ? undefined : Number(targetGpus[name]);
      if (gpus !== undefined && !(Number.isInteger(gpus) && gpus > 0)) throw new ConfigError('--target-gpus', `--target-gpus ${name}: a whole number of GPUs, got ${JSON.stringify(targetGpus[name])}`);
      const keyEnv = targetKeyEnv[name];
      const apiKey = keyEnv ? process.env[keyEnv] : undefined;
      if (keyEnv && !apiKey) throw new ConfigError('--target-key-env', `--target-key-env ${name}: environment variable ${keyEnv} is not set`);
      return { name, url: target[name]!, ...(targetModel[name] ? { model: targetModel[name] } : {}), ...(apiKey ? { apiKey } : {}), ...(gpus ? { gpus } : {}) };
    });
    const { parseShape } = await import('../../endpoints/run-endpoints.js');
    const shapes = shape.map((s) => parseShape(s));
    if (out) assertWritableDir(out, '--out');
    // Keys go only where --target-key-env sends them: one endpoint's key is never sent to another.
    const { apiKey: _key, url: _url, ...benchmark } = toOptions({ ...(benchFlags as BenchFlags), url: targets[0]!.url });
    const { runEndpointsCommand } = await import('./compare-endpoints-action.js');
    setExit(await runEndpointsCommand({ targets, shapes, benchmark }, { json: !!json, ...(out ? { outDir: out } : {}) }));
  });
}
