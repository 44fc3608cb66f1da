import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { BenchResult } from './types';
import { spawn, type ChildProcess } from 'node:child_process';
import { startKubeServer } from '../support/kube-server';
import { ClientNodeCluster } from '../../src/providers/kubernetes/client';
import { forContext, loadKubeconfig } from '../../src/providers/kubernetes/kubeconfig';
import { renderManifests } from '../../src/core/kubernetes/render';
import { planObjects } from '../../src/core/kubernetes/deploy';
import { WorkloadsModel } from '../../src/core/kubernetes/pods-view';
import { run as spawnRun } from '../../src/core/process/spawn';
import type { KubeObject } from '../../src/core/kubernetes/objects';

// Kubernetes speed, against the stand-in API server on 127.0.0.1:
// 1. plan of 200 objects (server-side apply dry run of each + diff against live + prune listing), beside
//    the real kubectl doing the server-side dry run / diff of the same 200 objects against the same server;
// 2. the Deployments view with 1,000 pods: one watch event applied and the view rows rebuilt, beside
//    `kubectl get pods` printing the same 1,000 pods from the same server.

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function manifests(n: number, image: string): string {
  const docs: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const name = `app-${i}`;
    if (i % 3 === 0)
      docs.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name },
        data: { 'config.toml': `id = ${i}\nimage = "${image}"\n` },
      });
    else if (i % 3 === 1)
      docs.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name },
        spec: { selector: { app: name }, ports: [{ port: 8080 }] },
      });
    else
      docs.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'helix', image, ports: [{ containerPort: 8080 }] }] },
          },
        },
      });
  }
  return docs.map((d) => stringify(d)).join('---\n');
}

async function timeKubectl(kubeconfig: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await spawnRun('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    env: { PATH: process.env.PATH, HOME: os.tmpdir() },
    killAfterMs: 2000,
  });
  const ms = performance.now() - t0;
  if (r.code !== 0 && !(args[0] === 'diff' && r.code === 1)) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return ms;
}

/** The stand-in in a child process (as a real API server is another process), seeded from a file. */
async function serverProcess(dir: string, seed: unknown[]): Promise<{ url: string; child: ChildProcess }> {
  const seedFile = path.join(dir, 'seed.json');
  fs.writeFileSync(seedFile, JSON.stringify(seed));
  // __filename, not __dirname: under tsx's tsImport (scripts/bench.mjs) only __filename is right.
  const main = path.join(path.dirname(__filename), '../support/kube-server/main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main, seedFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, KUBE_STANDIN_STEP_MS: '10000' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)).url);
    });
    child.on('exit', (code) => reject(new Error(`stand-in server exited (${code})`)));
  });
  return { url, child };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helix-k8s-bench-'));
  // 200 objects, 100 of them already live (so the plan has updates and creates).
  const text = manifests(200, 'helixdb/helix:2.0');
  const desired = renderManifests({
    files: [['bench.yaml', text]],
    namespace: 'default',
    environment: 'bench',
    image: 'helixdb/helix:2.0',
  });
  const old = renderManifests({
    files: [['old.yaml', manifests(100, 'helixdb/helix:1.0')]],
    namespace: 'default',
    environment: 'bench',
  });
  const { url, child } = await serverProcess(dir, old);
  // Used for the pods anchor only (seeded in-process).
  const server = await startKubeServer({ stepMs: 10_000, bookmarkMs: 60_000 });
  try {
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'bench',
        clusters: [{ name: 'bench', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: {} }],
        contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'u', namespace: 'default' } }],
      }),
    );
    const access = loadKubeconfig({ file: kubeconfig });
    if (access.state !== 'ok') throw new Error(access.message);
    const cluster = new ClientNodeCluster(forContext(access, undefined), { timeoutMs: 10_000 });
    const file = path.join(dir, 'bench.yaml');
    fs.writeFileSync(file, desired.map((o) => stringify(o)).join('---\n'));
    const signal = new AbortController().signal;
    const ours: number[] = [];
    let changes = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const { model } = await planObjects(cluster, desired, {
        context: cluster.context,
        namespace: 'default',
        environment: 'bench',
        signal,
        log: () => {},
      });
      ours.push(performance.now() - t0);
      changes = model.summary.create + model.summary.update;
    }
    const dry: number[] = [];
    const diff: number[] = [];
    for (let i = 0; i < 3; i++) {
      dry.push(
        await timeKubectl(kubeconfig, [
          'apply',
          '--server-side',
          '--dry-run=server',
          '--field-manager=helix-deploy',
          '-f',
          file,
        ]),
      );
      diff.push(await timeKubectl(kubeconfig, ['diff', '--server-side', '--field-manager=helix-deploy', '-f', file]));
    }
    results.push({
      name: 'k8s plan, 200 objects (SSA dry run + diff + prune list)',
      value: median(ours),
      unit: 'ms',
      anchor: { name: 'kubectl apply --server-side --dry-run=server', value: median(dry), unit: 'ms' },
      goal: '< 2000 ms',
      note: `${changes} changes; kubectl diff --server-side on the same objects: ${median(diff).toFixed(0)} ms; median of 5 (ours) / 3 (kubectl)`,
    });

    // 1,000 pods in 10 deployments; each event changes one pod (ready flips / restarts) and the rows are rebuilt.
    const ns = 'default';
    const model = new WorkloadsModel(ns);
    const pods: KubeObject[] = [];
    for (let d = 0; d < 10; d++) {
      const dep = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `helix-${d}`, namespace: ns, uid: `d${d}` },
        spec: { replicas: 100, template: { spec: { containers: [{ name: 'helix', image: 'helixdb/helix:2.0' }] } } },
        status: { readyReplicas: 100 },
      };
      model.apply('Deployment', 'ADDED', dep);
      model.apply('ReplicaSet', 'ADDED', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `helix-${d}-abc`,
          namespace: ns,
          uid: `rs${d}`,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `helix-${d}`, uid: `d${d}` }],
        },
      });
      for (let p = 0; p < 100; p++) {
        const pod: KubeObject = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `helix-${d}-abc-${String(p).padStart(5, '0')}`,
            namespace: ns,
            uid: `p${d}-${p}`,
            creationTimestamp: new Date().toISOString(),
            labels: { 'pod-template-hash': 'abc' },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `helix-${d}-abc`, uid: `rs${d}` }],
          },
          spec: { containers: [{ name: 'helix' }] },
          status: {
            phase: 'Running',
            containerStatuses: [{ name: 'helix', ready: true, restartCount: 0, state: { running: {} } }],
          },
        };
        pods.push(pod);
      }
    }
    model.resync('Pod', pods);
    const per: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const p = structuredClone(pods[(i * 7919) % pods.length]);
      p.status.containerStatuses[0].ready = i % 2 === 0;
      p.status.containerStatuses[0].restartCount = i;
      const t0 = performance.now();
      const dep = model.apply('Pod', 'MODIFIED', p);
      model.row(dep!);
      const rows = model.rows();
      per.push(performance.now() - t0);
      if (rows.length !== 10) throw new Error('rows lost');
    }
    per.sort((a, b) => a - b);
    // The anchor: kubectl printing the same 1,000 pods from the stand-in.
    for (const p of pods.slice(0, 1000))
      server.seed({ ...p, metadata: { ...p.metadata, uid: undefined, resourceVersion: undefined } });
    const podsKubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig-pods'));
    const get: number[] = [];
    for (let i = 0; i < 3; i++) get.push(await timeKubectl(podsKubeconfig, ['get', 'pods', '-n', ns]));
    results.push({
      name: 'k8s pods view, 1,000 pods: one change event -> rows',
      value: per[Math.floor(per.length * 0.99)],
      unit: 'ms',
      anchor: { name: 'kubectl get pods (1,000 pods)', value: median(get), unit: 'ms' },
      goal: '< 50 ms',
      note: `p99 of 5000 events; median ${per[Math.floor(per.length / 2)].toFixed(4)} ms, max ${per[per.length - 1].toFixed(3)} ms`,
    });
  } finally {
    child.stdin!.end();
    child.kill('SIGTERM');
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
