/**
 * A Kubernetes Indexed Job that runs one distributed benchmark: N pods, pod k running `inferscope bench ... --shard
 * k/N --start-at T` (k from JOB_COMPLETION_INDEX), each writing its shard under /results for `inferscope merge`.
 * Built and validated with kubernetes-models against the Kubernetes schemas before it is printed.
 */
import { Job } from 'kubernetes-models/batch/v1';

export interface K8sJobOptions {
  shards: number;
  image: string;
  name: string;
  namespace?: string;
  /** The bench arguments every pod runs (target, load, workload...). */
  benchArgs: readonly string[];
  /** ISO 8601 start shared by every shard. */
  startAt: string;
  cpu: string;
  memory: string;
  /** A PersistentVolumeClaim (ReadWriteMany) for /results, where the shards are collected; default an emptyDir. */
  pvc?: string;
}

export const RESULTS_PATH = '/results';
const INDEX = 'JOB_COMPLETION_INDEX';

export function k8sJob(o: K8sJobOptions): Job {
  const job = new Job({
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { 'app.kubernetes.io/name': 'inferscope', 'app.kubernetes.io/component': 'bench' } },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.shards,
      // A shard run twice would send its requests twice; a failed shard is re-run by hand (merge names it).
      backoffLimit: 0,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'inferscope' } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'bench',
              image: o.image,
              command: ['inferscope'],
              args: [
                'bench',
                ...o.benchArgs,
                '--shard', `$(${INDEX})/${o.shards}`,
                '--start-at', o.startAt,
                '--out', `${RESULTS_PATH}/shard-$(${INDEX})`,
                '--no-db',
              ],
              env: [{ name: INDEX, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }],
              resources: { requests: { cpu: o.cpu, memory: o.memory }, limits: { cpu: o.cpu, memory: o.memory } },
              volumeMounts: [{ name: 'results', mountPath: RESULTS_PATH }],
            },
          ],
          volumes: [o.pvc ? { name: 'results', persistentVolumeClaim: { claimName: o.pvc } } : { name: 'results', emptyDir: {} }],
        },
      },
    },
  });
  job.validate();
  return job;
}

/**
 * What pod k of the Job runs, as the kubelet would: the container's command and args with $(VAR) references expanded
 * from its environment (JOB_COMPLETION_INDEX = k). Used to run the Job's pods as local processes.
 */
export function podCommand(job: Job, index: number): { command: string[]; env: Record<string, string> } {
  const container = job.spec!.template.spec!.containers[0]!;
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) env[e.name] = e.valueFrom?.fieldRef?.fieldPath.includes('job-completion-index') ? String(index) : (e.value ?? '');
  const expand = (s: string): string => s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);
  return { command: [...(container.command ?? []), ...(container.args ?? [])].map(expand), env };
}
