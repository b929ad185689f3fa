/**
 * `--config FILE.yaml` for any command: every option has a key of the same name (`max-error-rate` or
 * `maxErrorRate`), the file's keys become options ahead of the command line's, so flags given on the command
 * line win. Checked before anything runs: an unknown key or a value of the wrong shape names the file and line.
 */
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { isMap, isScalar, LineCounter, parseDocument, type Pair } from 'yaml';
import { ConfigError } from '../config/errors.js';
import { didYouMean } from '../util/did-you-mean.js';

/**
 * argv with the config file's options inserted right after the command's name (and `--config FILE` removed).
 * Unchanged when there is no --config.
 *
 * @example expandConfigFile(['node', 'inferscope', 'bench', '--config', 'b.yaml', '--rate', '5'], program)
 */
export function expandConfigFile(argv: readonly string[], program: Command): string[] {
  const at = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  const name = argv[2];
  const command = program.commands.find((c) => c.name() === name);
  // The monitor reads its own configuration file (another shape: targets, probes, SLOs).
  if (at < 0 || !command || command.name() === 'monitor') return [...argv];
  const file = argv[at]!.includes('=') ? argv[at]!.slice('--config='.length) : argv[at + 1];
  if (!file) throw new ConfigError('--config', '--config: give the path of a YAML file');
  const rest = argv.filter((_, i) => i !== at && !(i === at + 1 && !argv[at]!.includes('=')));
  return [...rest.slice(0, 3), ...configArgs(file, command), ...rest.slice(3)];
}

function configArgs(file: string, command: Command): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `--config: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const where = (offset: number | undefined): string => `${file}:${offset === undefined ? 1 : lines.linePos(offset).line}`;
  if (doc.errors.length > 0) throw new ConfigError('--config', `${where(doc.errors[0]!.pos[0])}: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.contents === null) return [];
  if (!isMap(doc.contents)) throw new ConfigError('--config', `${where(doc.contents.range?.[0])}: expected keys and values (a YAML mapping)`);
  const options = command.options.filter((o) => o.long && o.long !== '--help' && o.long !== '--config');
  const names = [...new Set(options.map((o) => o.long!.replace(/^--(no-)?/, '')))];
  const args: string[] = [];
  for (const pair of doc.contents.items as Pair[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-');
    const line = where(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
    const positive = options.find((o) => o.long === `--${kebab}`);
    const negative = options.find((o) => o.long === `--no-${kebab}`);
    if (!positive && !negative) {
      throw new ConfigError('--config', `${line}: unknown key "${key}" for ${command.name()}${didYouMean(kebab, names)}`);
    }
    const value = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null;
    args.push(...optionArgs(value, positive, negative, line, key));
  }
  return args;
}

/** The command-line words for one key: a flag, a flag with a value, repeated flags, or key=value pairs. */
function optionArgs(value: unknown, positive: Option | undefined, negative: Option | undefined, line: string, key: string): string[] {
  const takesValue = positive !== undefined && (positive.required || positive.optional);
  if (typeof value === 'boolean') {
    if (value && positive && !takesValue) return [positive.long!];
    if (!value && negative) return [negative.long!];
    if (takesValue) return [positive!.long!, String(value)];
    throw new ConfigError('--config', `${line}: "${key}" cannot be ${value}`);
  }
  if (!positive || !takesValue) throw new ConfigError('--config', `${line}: "${key}" is a switch: give true or false`);
  if (Array.isArray(value)) return value.flatMap((v) => [positive.long!, scalar(v, line, key)]);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [positive.long!, `${k}${positive.long === '--header' ? ':' : '='}${scalar(v, line, key)}`]);
  }
  return [positive.long!, scalar(value, line, key)];
}

function scalar(v: unknown, line: string, key: string): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConfigError('--config', `${line}: "${key}" takes a value, a list of values or a mapping, not ${JSON.stringify(v)}`);
}
