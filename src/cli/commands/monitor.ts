import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { DEFAULTS } from '../../config/defaults.js';

function hostPort(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) > 65535) throw new ConfigError('--listen', `--listen: expected HOST:PORT (e.g. ${DEFAULTS.monitor.listen}), got ${JSON.stringify(text)}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description('Probe endpoints on a schedule; serve /metrics, a JSON API and SLO alerts (see the README)')
    .option('--config <file>', 'monitor configuration (YAML)')
    .option('--url <url>', 'without --config: probe this OpenAI base URL (default: $OPENAI_BASE_URL) with one default probe')
    .option('--model <id>', 'with --url: the model id (default: the first from GET /models)')
    .option('--every <span>', `with --url: time between probes (default ${DEFAULTS.monitor.every})`)
    .option('--api-key-env <NAME>', 'with --url: environment variable holding the API key')
    .option('--check', 'validate the configuration and the API key variables, then exit (0 ok, 2 invalid)', false)
    .option('--print-config', 'print a commented configuration file to start from (for --url, else a placeholder), then exit', false)
    .option('--location <name>', `where this instance probes from (label on every probe; default: the config's, else "${DEFAULTS.monitor.location}")`)
    .option('--listen <host:port>', `address of /metrics and /api (default: the config's, else ${DEFAULTS.monitor.listen})`, hostPort)
    .option('--store <path>', `SQLite file for probes and alerts (default: the config's, else ${DEFAULTS.monitor.store})`)
    .option('--otlp-endpoint <url>', "also export the probe metrics over OTLP/HTTP to this URL (GenAI semantic conventions; default: the config's otlp.endpoint)")
    .option('--auth-token-env <name>', 'variable holding a token that /api and /metrics then require (Authorization: Bearer); needed to listen beyond 127.0.0.1')
    .action(async (f: { config?: string; url?: string; model?: string; every?: string; apiKeyEnv?: string; check: boolean; printConfig: boolean; location?: string; listen?: { host: string; port: number }; store?: string; otlpEndpoint?: string; authTokenEnv?: string }) => {
      const { monitorCommand } = await import('../../monitor/monitor-command.js');
      await monitorCommand(f);
    });
}
