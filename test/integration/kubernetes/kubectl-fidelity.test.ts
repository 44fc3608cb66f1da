import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { harness, readFixture, type Harness } from './harness';
import { run } from '../../../src/core/process/spawn';
import { renderManifests } from '../../../src/core/kubernetes/render';
import { planObjects, applyPlan } from '../../../src/core/kubernetes/deploy';
import { attributesOf } from '../../../src/core/plan/model';

// Fidelity of the stand-in API server, judged by the real kubectl (/usr/bin/kubectl): the same commands a
// user would run against a cluster must behave the same against it. Fails (never skips) without kubectl.

const KUBECTL = process.env.HELIX_TEST_KUBECTL ?? 'kubectl';

describe('stand-in API server fidelity with the real kubectl', function () {
  this.timeout(30000);
  let h: Harness;
  const kubectl = (...args: string[]) =>
    run(KUBECTL, ['--kubeconfig', h.kubeconfig, '--request-timeout=10s', ...args], {
      env: { PATH: process.env.PATH, HOME: h.dir },
      killAfterMs: 2000,
    });
  const manifests = (image: string, extra = (t: string) => t) => {
    const objs = renderManifests({
      files: readFixture('app').map(([f, t]): [string, string] => [f, extra(t)]),
      namespace: 'default',
      environment: 'staging',
      image,
    });
    const file = path.join(h.dir, `m-${Date.now()}.yaml`);
    fs.writeFileSync(file, objs.map((o) => stringify(o)).join('---\n'));
    return { file, objs };
  };

  beforeEach(async () => (h = await harness({ secondMs: 100 })));
  afterEach(async () => h.close());

  it('kubectl version/get: discovery and server-side printing', async () => {
    const v = await kubectl('version', '-o', 'json');
    assert.equal(v.code, 0, v.stderr);
    assert.equal(JSON.parse(v.stdout).serverVersion.gitVersion, 'v1.32.0+helix-standin');
    const ns = await kubectl('get', 'namespaces');
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^NAME\s+STATUS\s+AGE\n/);
    assert.match(ns.stdout, /^default\s+Active\s+\d+s$/m);
    const none = await kubectl('get', 'deploy', 'nope');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /Error from server \(NotFound\): deployments.apps "nope" not found/);
  });

  it('kubectl apply --server-side, rollout status, get pods, logs, rollout undo', async () => {
    const { file } = manifests('helixdb/helix:1.0');
    const a = await kubectl('apply', '--server-side', '-f', file);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /deployment.apps\/helix serverside-applied/);
    assert.match(a.stdout, /secret\/helix-credentials serverside-applied/);
    const rs = await kubectl('rollout', 'status', 'deployment/helix', '--timeout=20s');
    assert.equal(rs.code, 0, rs.stderr);
    assert.match(rs.stdout, /deployment "helix" successfully rolled out/);
    const pods = await kubectl('get', 'pods', '-l', 'app.kubernetes.io/name=helix');
    assert.equal(
      pods.stdout
        .trim()
        .split('\n')
        .filter((l) => /^helix-\w+-\w+\s+1\/1\s+Running\s+0\s+/.test(l)).length,
      2,
      pods.stdout,
    );
    const logs = await kubectl('logs', 'deployment/helix');
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /listening on 0.0.0.0:8080/);
    // Our client sees what kubectl applied, owned by kubectl's field manager.
    const d = await h.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'helix', namespace: 'default' });
    assert.deepEqual(
      (d!.metadata.managedFields as any[]).map((m) => [m.manager, m.operation]),
      [['kubectl', 'Apply']],
    );
    // A second revision, then kubectl rollout undo reuses the first ReplicaSet.
    assert.equal((await kubectl('apply', '--server-side', '-f', manifests('helixdb/helix:1.1').file)).code, 0);
    assert.equal((await kubectl('rollout', 'status', 'deployment/helix', '--timeout=20s')).code, 0);
    const undo = await kubectl('rollout', 'undo', 'deployment/helix');
    assert.equal(undo.code, 0, undo.stderr);
    assert.equal((await kubectl('rollout', 'status', 'deployment/helix', '--timeout=20s')).code, 0);
    const img = await kubectl(
      'get',
      'deployment',
      'helix',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
    );
    assert.equal(img.stdout, 'helixdb/helix:1.0 3');
  });

  it('kubectl rollout status fails on a progress deadline like on a cluster', async () => {
    const { file } = manifests('helixdb/helix:never-ready', (t) =>
      t.replace('progressDeadlineSeconds: 600', 'progressDeadlineSeconds: 3'),
    );
    assert.equal((await kubectl('apply', '--server-side', '-f', file)).code, 0);
    const rs = await kubectl('rollout', 'status', 'deployment/helix', '--timeout=20s');
    assert.equal(rs.code, 1);
    assert.match(rs.stderr, /error: deployment "helix" exceeded its progress deadline/);
  });

  it('kubectl diff --server-side agrees with our plan; a conflicting manager gets 409', async () => {
    // Applied by us (field manager helix-deploy) ...
    const signal = new AbortController().signal;
    const base = { context: 'standin', namespace: 'default', environment: 'staging', signal, log: () => {} };
    const first = await planObjects(h.cluster, manifests('helixdb/helix:1.0').objs, base);
    assert.equal((await applyPlan(h.cluster, first.record, { signal, log: () => {} })).outcome, 'applied');
    // ... then both tools compare the next image against the live objects.
    const next = manifests('helixdb/helix:1.1');
    const diff = await kubectl('diff', '--server-side', '--field-manager=helix-deploy', '-f', next.file);
    assert.equal(diff.code, 1, diff.stderr); // 1 = differences found
    const changed = diff.stdout
      .split('\n')
      .filter((l) => /^[-+]\s/.test(l) && !/generation:/.test(l))
      .map((l) => l.replace(/\s+/g, ' '));
    assert.deepEqual(changed, ['- - image: helixdb/helix:1.0', '+ - image: helixdb/helix:1.1']);
    const ours = await planObjects(h.cluster, next.objs, base);
    const dep = ours.model.resources.find((r) => r.address === 'default/Deployment/helix')!;
    assert.deepEqual(
      attributesOf(dep).map((a) => [a.path.join('.'), a.after]),
      [['spec.template.spec.containers.0.image', 'helixdb/helix:1.1']],
    );
    // Another applier changing a field we own: 409 with the owner named, as on a cluster.
    const other = await kubectl('apply', '--server-side', '--field-manager=someone-else', '-f', next.file);
    assert.equal(other.code, 1);
    assert.match(
      other.stderr,
      /Apply failed with \d+ conflicts?: conflict with "helix-deploy" using apps\/v1: \.spec\.template/,
    );
  });
});
