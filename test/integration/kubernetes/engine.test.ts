import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, type Harness } from './harness';
import { DeployRunner } from '../../../src/core/engine/engine';
import { Journal } from '../../../src/core/engine/journal';
import { LockManager } from '../../../src/core/engine/locks';
import { DeployError } from '../../../src/core/engine/errors';
import { KubernetesProvider } from '../../../src/providers/kubernetes/provider';
import type { Environment } from '../../../src/core/model/types';
import { poll } from '../../support/poll';

// The real plan-first engine driving the Kubernetes provider in its `kubernetes` slot, for a
// `kubernetes` environment of helix.deploy.toml: plan -> Planned -> approve(hash) -> apply -> Applied,
// journaled; rollback as a planned run of kind `rollback` (previous ReplicaSet template).

describe('DeployRunner driving the Kubernetes provider against the stand-in API server', function () {
  this.timeout(30000);
  let h: Harness;
  let journal: Journal;
  beforeEach(async () => {
    h = await harness();
    journal = await Journal.open(path.join(h.dir, 'runs.journal'));
  });
  afterEach(async () => {
    await journal.close();
    await h.close();
  });

  function setup(image: string, kubeconfig: () => string | undefined = () => undefined) {
    const provider = new KubernetesProvider({ kubeconfig });
    const engine = new DeployRunner({
      journal,
      locks: new LockManager(path.join(h.dir, 'locks')),
      stateDir: path.join(h.dir, 'state'),
      providers: { kubernetes: provider },
      who: () => 'test <test@example.invalid>',
    });
    const manifests = path.join(__dirname, '../../fixtures/kubernetes/app');
    const environment: Environment = {
      name: 'staging',
      kind: 'kubernetes',
      source: 'helix.deploy.toml',
      // `${image}` comes from the target's context, as for terraform vars.
      settings: {
        kubernetes: {
          context: 'standin',
          namespace: 'default',
          manifests,
          image: '${image}',
          kubeconfig: h.kubeconfig,
        },
      },
    };
    const target = (img = image) => ({ project: { name: 'demo', dir: h.dir }, environment, context: { image: img } });
    return { engine, target: target(), targetWith: target };
  }

  async function deploy(engine: DeployRunner, target: ReturnType<typeof setup>['target']) {
    const plan = await (await engine.startPlan(target)).done;
    assert.equal(plan.run.state, 'Planned', plan.run.error);
    await engine.approve(plan.run.id, plan.planHash!);
    const applied = await (await engine.startApply(plan.run.id)).done;
    assert.equal(applied.run.state, 'Applied', applied.run.error);
    return applied;
  }

  it('plan -> approve -> apply -> Applied with the rollout in the run log; secrets masked in the journal', async () => {
    const { engine, target } = setup('helixdb/helix:1.0');
    const plan = await (await engine.startPlan(target)).done;
    assert.equal(plan.run.state, 'Planned', plan.run.error);
    assert.deepEqual(
      plan.model!.resources.map((r) => r.action),
      ['create', 'create', 'create'],
    );
    await engine.approve(plan.run.id, plan.planHash!);
    const applied = await (await engine.startApply(plan.run.id)).done;
    assert.equal(applied.run.state, 'Applied', applied.run.error);
    const text = fs.readFileSync(path.join(h.dir, 'runs.journal'), 'utf8');
    assert.match(text, /successfully rolled out/);
    assert.ok(!text.includes('s3cr3t-api-key-value'), 'secret in the journal');
    await engine.dispose();
  });

  it('a rollout that never becomes ready ends ApplyFailed with the reason', async () => {
    const { engine, target } = setup('helixdb/helix:crashloop');
    const plan = await (await engine.startPlan(target)).done;
    await engine.approve(plan.run.id, plan.planHash!);
    const applied = await (await engine.startApply(plan.run.id)).done;
    assert.equal(applied.run.state, 'ApplyFailed');
    assert.match(applied.run.error ?? '', /CrashLoopBackOff/);
    await engine.dispose();
  });

  it('cancel during the rollout watch ends the run Cancelled, with no watch left open', async () => {
    const { engine, target } = setup('helixdb/helix:never-ready');
    const plan = await (await engine.startPlan(target)).done;
    await engine.approve(plan.run.id, plan.planHash!);
    const handle = await engine.startApply(plan.run.id);
    await poll(() => h.server.store.watchers.size > 0, { what: 'the rollout watch', timeoutMs: 5000 });
    await engine.cancel(plan.run.id);
    const done = await handle.done;
    assert.equal(done.run.state, 'Cancelled');
    await poll(() => h.server.store.watchers.size === 0, {
      what: 'every watch closed after the cancel',
      timeoutMs: 2000,
    });
    await engine.dispose();
  });

  it('rollback is a planned run back to the previous ReplicaSet template: reviewed, approved, applied, journaled', async () => {
    const { engine, targetWith } = setup('helixdb/helix:1.0');
    assert.equal(engine.canRollback(targetWith()), false, 'nothing deployed yet');
    await deploy(engine, targetWith('helixdb/helix:1.0'));
    await deploy(engine, targetWith('helixdb/helix:1.1'));
    assert.equal(engine.canRollback(targetWith()), true);
    const plan = await (await engine.planRollback(targetWith())).done;
    assert.equal(plan.run.kind, 'rollback');
    assert.equal(plan.run.state, 'Planned', plan.run.error);
    assert.deepEqual(
      plan.model!.resources.map((r) => [r.address, r.action]),
      [['default/Deployment/helix', 'update']],
    );
    assert.ok(
      plan.run.log.some((l) => /rollback of default\/helix: revision 2 -> 1/.test(l)),
      plan.run.log.join('\n'),
    );
    assert.ok(plan.actions.includes('approve'), plan.actions.join());
    await engine.approve(plan.run.id, plan.planHash!);
    const done = await (await engine.startApply(plan.run.id)).done;
    assert.equal(done.run.state, 'Applied', done.run.error);
    const d = await h.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'helix', namespace: 'default' });
    assert.equal(d!.spec.template.spec.containers[0].image, 'helixdb/helix:1.0');
    assert.equal(engine.list({ environment: 'staging' })[0]!.kind, 'rollback', 'the rollback is in the run history');
    await engine.dispose();
  });

  it('a rollback with no previous revision ends PlanFailed and says why', async () => {
    const { engine, targetWith } = setup('helixdb/helix:1.0');
    await deploy(engine, targetWith('helixdb/helix:1.0'));
    const plan = await (await engine.planRollback(targetWith())).done;
    assert.equal(plan.run.state, 'PlanFailed');
    assert.match(plan.run.error ?? '', /Nothing to roll back to: .*no previous revision/);
    await engine.dispose();
  });

  it('a missing kubeconfig is a tool state and a clear refusal, not an exception from the client', async () => {
    const { engine } = setup('helixdb/helix:1.0');
    const environment: Environment = {
      name: 'nocfg',
      kind: 'kubernetes',
      source: 'helix.deploy.toml',
      settings: {
        kubernetes: {
          namespace: 'default',
          manifests: path.join(__dirname, '../../fixtures/kubernetes/app'),
          image: 'x:1',
          kubeconfig: path.join(h.dir, 'does-not-exist'),
        },
      },
    };
    const target = { project: { name: 'demo', dir: h.dir }, environment };
    await assert.rejects(
      engine.startPlan(target),
      (e: unknown) => e instanceof DeployError && e.code === 'tool-missing',
    );
    const status = await engine.toolStatus(target);
    assert.equal(status.tool, 'kubernetes');
    assert.equal(status.state, 'missing');
    assert.match(
      status.state === 'missing' ? status.message : '',
      /No kubeconfig found \(looked in .*does-not-exist\)/,
    );
    assert.equal(status.state === 'missing' ? status.setting : '', 'helixDeploy.kubernetes.kubeconfig');
    assert.equal(engine.list({ environment: 'nocfg' }).length, 0, 'nothing recorded');
    await engine.dispose();
  });

  it('a kustomization without a runnable kubectl is a tool state naming the kubectlPath setting', async () => {
    const kustom = path.join(h.dir, 'kustom');
    fs.mkdirSync(kustom);
    fs.writeFileSync(path.join(kustom, 'kustomization.yaml'), 'resources: []\n');
    const provider = new KubernetesProvider({ kubectl: () => path.join(h.dir, 'no-kubectl') });
    const engine = new DeployRunner({
      journal,
      locks: new LockManager(path.join(h.dir, 'locks')),
      stateDir: path.join(h.dir, 'state'),
      providers: { kubernetes: provider },
      who: () => 'test',
    });
    const environment: Environment = {
      name: 'kustom',
      kind: 'kubernetes',
      source: 'helix.deploy.toml',
      settings: { kubernetes: { manifests: 'kustom', image: 'x:1', kubeconfig: h.kubeconfig } },
    };
    const target = { project: { name: 'demo', dir: h.dir }, environment };
    const status = await engine.toolStatus(target);
    assert.equal(status.state, 'missing');
    assert.equal(status.tool, 'kubectl');
    assert.equal(status.state === 'missing' ? status.setting : '', 'helixDeploy.kubernetes.kubectlPath');
    await assert.rejects(
      engine.startPlan(target),
      (e: unknown) =>
        e instanceof DeployError &&
        e.code === 'tool-missing' &&
        /is a kustomization, which needs kubectl/.test(e.message),
    );
    await engine.dispose();
  });
});
