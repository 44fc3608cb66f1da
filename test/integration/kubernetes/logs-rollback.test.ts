import * as assert from 'node:assert/strict';
import { harness, readFixture, type Harness } from './harness';
import { renderManifests } from '../../../src/core/kubernetes/render';
import { planObjects, applyPlan } from '../../../src/core/kubernetes/deploy';
import { WorkloadLogs } from '../../../src/core/kubernetes/workload-logs';
import { rollbackTarget, RollbackError } from '../../../src/core/kubernetes/rollback';
import { attributesOf } from '../../../src/core/plan/model';
import { poll } from '../../support/poll';

const DEP = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'helix', namespace: 'default' };

describe('kubernetes logs and rollback against the stand-in API server', function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(async () => h.close());

  async function deploy(image: string): Promise<void> {
    const desired = renderManifests({ files: readFixture('app'), namespace: 'default', environment: 'staging', image });
    const signal = new AbortController().signal;
    const { record } = await planObjects(h.cluster, desired, {
      context: 'standin',
      namespace: 'default',
      environment: 'staging',
      signal,
      log: () => {},
    });
    const out = await applyPlan(h.cluster, record, { signal, log: () => {} });
    assert.equal(out.outcome, 'applied', out.error);
  }

  it('follows the logs of all pods, prefixed, across a container restart and a rollout', async () => {
    await deploy('helixdb/helix:1.0');
    const lines: string[] = [];
    const ctl = new AbortController();
    const logs = new WorkloadLogs(h.cluster, {
      namespace: 'default',
      selector: 'app.kubernetes.io/name=helix',
      signal: ctl.signal,
      onLine: (l) => lines.push(l),
    });
    await logs.start();
    try {
      await poll(() => lines.filter((l) => l.endsWith('ready: indexes loaded')).length === 2, {
        what: 'history of both pods',
        timeoutMs: 5000,
      });
      const pods = h.server.store.list({ resource: 'pods' } as any).map((p) => p.metadata.name);
      assert.equal(new Set(lines.map((l) => l.match(/^\[([^/\]]+)\//)?.[1])).size, 2, 'lines of both pods, prefixed');

      // The kubelet restarts one container (liveness failure): its stream ends, the new instance is followed.
      h.server.restartPod('default', pods[0]);
      await poll(() => lines.some((l) => l === `[${pods[0]}/helix] helix-db starting (pod ${pods[0]}, restart 1)`), {
        what: 'the restarted container',
        timeoutMs: 5000,
      });
      assert.ok(lines.includes(`[${pods[0]}/helix] received SIGTERM, shutting down`));
      assert.ok(lines.some((l) => l === `[${pods[0]}/helix] container restarted (restart 1)`));

      // A rollout replaces the pods: the new ones are picked up from the pod watch.
      await deploy('helixdb/helix:1.1');
      await poll(() => lines.filter((l) => /\] new pod$/.test(l)).length === 2, {
        what: 'new pods of the rollout',
        timeoutMs: 5000,
      });
      await poll(() => lines.filter((l) => l.endsWith('ready: indexes loaded')).length >= 4, {
        what: 'logs of the new pods',
        timeoutMs: 5000,
      });
      await poll(() => lines.some((l) => l.endsWith('] pod deleted')), { what: 'old pods deleted', timeoutMs: 5000 });
    } finally {
      ctl.abort();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.server.store.watchers.size, 0, 'pod watch left open after stop');
  });

  it('rolls back to the previous ReplicaSet template as a planned run', async () => {
    await deploy('helixdb/helix:1.0');
    await deploy('helixdb/helix:1.1');
    const target = await rollbackTarget(h.cluster, DEP);
    assert.equal(target.fromRevision, 2);
    assert.equal(target.toRevision, 1);
    const signal = new AbortController().signal;
    const plan = await planObjects(h.cluster, [target.desired], {
      context: 'standin',
      namespace: 'default',
      environment: 'staging',
      signal,
      log: () => {},
      prune: false,
      force: true,
    });
    assert.deepEqual(
      plan.model.resources.map((r) => [r.address, r.action]),
      [['default/Deployment/helix', 'update']],
    );
    assert.deepEqual(
      attributesOf(plan.model.resources[0]).map((a) => [a.path.join('.'), a.before, a.after]),
      [['spec.template.spec.containers.0.image', 'helixdb/helix:1.1', 'helixdb/helix:1.0']],
    );
    const out = await applyPlan(h.cluster, plan.record, { signal, log: () => {} });
    assert.equal(out.outcome, 'applied', out.error);
    const d = await h.cluster.get(DEP);
    assert.equal(d!.spec.template.spec.containers[0].image, 'helixdb/helix:1.0');
    // Like `kubectl rollout undo`: the old ReplicaSet is reused and becomes revision 3.
    assert.equal(d!.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
    assert.equal(h.server.store.list({ resource: 'replicasets' } as any).length, 2);
  });

  it('explains when there is no previous revision', async () => {
    await deploy('helixdb/helix:1.0');
    await assert.rejects(
      rollbackTarget(h.cluster, DEP),
      (e: unknown) => e instanceof RollbackError && /no previous revision/.test((e as Error).message),
    );
  });
});
