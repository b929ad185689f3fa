// test-lane: timing (runs the Job's pods as local processes sharing one schedule; runs alone)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1';
import { podCommand, RESULTS_PATH } from '../src/deploy/k8s-job.js';
import { startTimingServer } from './support/timing-server.js';
import { runCli } from './support/cli.js';

const BIN = fileURLToPath(new URL('../bin/inferscope.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'inferscope-k8s-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('k8s job: an Indexed Job valid against the Kubernetes schemas; its pods, run locally as the kubelet would, merge into one run', async () => {
  const server = await startTimingServer({ behavior: { ttftMs: 5, itlMs: 1, outputTokens: 6 } });
  try {
    const bench = ['--url', server.url, '--model', 'm', '--rate', '30', '--arrival', 'constant', '--requests', '36', '--warmup', '0', '--no-probe', '--no-calibrate', '--no-scrape'];
    const r = await runCli(['k8s', 'job', '--shards', '3', '--image', 'inferscope:test', '--start-in', '4s', '--', ...bench]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = parse(r.stdout);
    const job = new Job(manifest);
    job.validate();
    assert.equal(job.spec!.completionMode, 'Indexed');
    assert.equal(job.spec!.completions, 3);
    assert.equal(job.spec!.parallelism, 3);
    // Every pod: exactly the manifest's command and environment, /results on a local directory.
    const pods = [0, 1, 2].map((k) => podCommand(job, k));
    assert.deepEqual(pods[1]!.command.slice(pods[1]!.command.indexOf('--shard'), pods[1]!.command.indexOf('--shard') + 2), ['--shard', '1/3']);
    const results = join(dir, 'results');
    const codes = await Promise.all(
      pods.map(({ command, env }) => {
        assert.equal(command[0], 'inferscope');
        const args = command.slice(1).map((a) => a.replace(RESULTS_PATH, results));
        return new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, INFERSCOPE_DB: join(dir, 'unused.db') }, stdio: 'ignore' });
          child.once('close', resolve);
        });
      }),
    );
    assert.deepEqual(codes, [0, 0, 0]);
    const merged = await runCli(['merge', join(results, 'shard-0'), join(results, 'shard-1'), join(results, 'shard-2'), '--no-db', '--json']);
    assert.equal(merged.code, 0, merged.stderr);
    const doc = JSON.parse(merged.stdout);
    assert.equal(doc.summary.requests.total, 36);
    assert.equal(doc.summary.requests.succeeded, 36);
  } finally {
    await server.close();
  }
});

test('k8s job: the Job sets --shard, --start-at and --out itself, and the pods need a --url', async () => {
  const clash = await runCli(['k8s', 'job', '--shards', '2', '--image', 'x', '--', '--url', 'http://a/v1', '--out', 'here']);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /--out is set by the Job/);
  const noUrl = await runCli(['k8s', 'job', '--shards', '2', '--image', 'x', '--', '--rate', '5']);
  assert.equal(noUrl.code, 2);
  assert.match(noUrl.stderr, /give --url/);
});
