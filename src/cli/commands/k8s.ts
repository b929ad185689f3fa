import type { Command } from 'commander';
import { ConfigError } from '../../config/errors.js';
import { positiveInt, timeoutMs } from '../parse-flags.js';

interface JobFlags {
  shards: number;
  image: string;
  name: string;
  namespace?: string;
  startIn: number;
  startAt?: string;
  cpu: string;
  memory: string;
  pvc?: string;
}

/** Bench options the Job sets per pod, or that make no sense in a pod. */
const SET_BY_JOB = ['--shard', '--start-at', '--out', '--workers', '--db', '--html', '--csv'];

/** `inferscope k8s job`: a Kubernetes Indexed Job manifest for a distributed benchmark (printed, not applied). */
export function registerK8s(program: Command): void {
  const k8s = program.command('k8s').description('Kubernetes manifests for distributed runs');
  k8s
    .command('job')
    .description('Print an Indexed Job that runs `bench` as N shards of one schedule (pod k = shard k/N), validated against the Kubernetes schemas')
    .argument('<bench-args...>', 'after --: the bench arguments every pod runs, e.g. -- --url http://vllm:8000/v1 --rate 200 --duration 5m')
    .requiredOption('--shards <n>', 'pods, each a shard of the schedule', positiveInt('--shards'))
    .requiredOption('--image <image>', 'container image with inferscope (deploy/Dockerfile builds one)')
    .option('--name <name>', 'Job name', 'inferscope-bench')
    .option('--namespace <ns>', 'namespace of the Job')
    .option('--start-in <duration>', 'shared start this long after the manifest is made: time to apply it and pull the image (default 5m)', timeoutMs('--start-in'), 300_000)
    .option('--start-at <time>', 'shared start as an ISO 8601 instant (instead of --start-in)')
    .option('--cpu <cpu>', 'CPU per pod (request and limit)', '1')
    .option('--memory <bytes>', 'memory per pod (request and limit)', '1Gi')
    .option('--pvc <claim>', 'PersistentVolumeClaim (ReadWriteMany) for /results, where the shards are collected (default: an emptyDir per pod)')
    .action(async (benchArgs: string[], flags: JobFlags) => {
      const clash = benchArgs.find((a) => SET_BY_JOB.includes(a.split('=')[0]!));
      if (clash) throw new ConfigError(clash, `${clash} is set by the Job for each pod: leave it out of the bench arguments`);
      if (!benchArgs.some((a) => a === '--url' || a.startsWith('--url='))) {
        throw new ConfigError('--url', 'the pods need a target: give --url in the bench arguments (the embedded engine does not run in a pod)');
      }
      const startAt = flags.startAt ?? new Date(Date.now() + flags.startIn).toISOString();
      if (!Number.isFinite(Date.parse(startAt))) throw new ConfigError('--start-at', `--start-at: an ISO 8601 time, got ${JSON.stringify(startAt)}`);
      const { k8sJob } = await import('../../deploy/k8s-job.js');
      const { stringify } = await import('yaml');
      const job = k8sJob({
        shards: flags.shards,
        image: flags.image,
        name: flags.name,
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        benchArgs,
        startAt,
        cpu: flags.cpu,
        memory: flags.memory,
        ...(flags.pvc ? { pvc: flags.pvc } : {}),
      });
      process.stdout.write(stringify(job.toJSON()));
      process.stderr.write(
        `apply before ${startAt} (kubectl apply -f job.yaml); the shards land in ${flags.pvc ? `the claim ${flags.pvc}` : "each pod's emptyDir"} as shard-0 ... shard-${flags.shards - 1}; merge them with: inferscope merge shard-*\n`,
      );
      if (!flags.pvc) {
        process.stderr.write('note: kubectl cp cannot reach a finished pod; give --pvc CLAIM (ReadWriteMany) to collect the shards\n');
      }
    });
}
