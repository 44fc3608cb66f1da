import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, type Harness } from './harness';
import { DeployEngine } from '../../../src/core/engine/engine';
import { Journal } from '../../../src/core/engine/journal';
import { LockManager } from '../../../src/core/engine/locks';
import type { DeployProvider } from '../../../src/core/engine/provider';
import { KubernetesProvider } from '../../../src/providers/kubernetes/provider';
import type { Environment } from '../../../src/core/model/types';

// The real plan-first engine (issue 5) driving the Kubernetes provider: plan -> Planned -> approve(hash) ->
// apply -> Applied, journaled. Until the engine knows `kubernetes` environments (toolOf/resolveTarget, see
// the issue-8 report), the provider is registered in the engine's `terraform` slot and the environment
// passes the provider's vars through `terraform.vars` - everything else is the engine's own code path.

describe('DeployEngine driving the Kubernetes provider against the stand-in API server', function () {
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

  function setup(image: string, extraVars: Record<string, unknown> = {}) {
    const provider = new KubernetesProvider({ kubeconfig: () => h.kubeconfig });
    const engine = new DeployEngine({
      journal,
      locks: new LockManager(path.join(h.dir, 'locks')),
      stateDir: path.join(h.dir, 'state'),
      providers: { terraform: provider as unknown as DeployProvider },
      who: () => 'test <test@example.invalid>',
    });
    const manifests = path.join(__dirname, '../../fixtures/kubernetes/app');
    const environment: Environment = {
      name: 'staging', kind: 'terraform', source: 'helix.deploy.toml',
      settings: { terraform: { dir: manifests, vars: { context: 'standin', namespace: 'default', environment: 'staging', image, kubeconfig: h.kubeconfig, ...extraVars } } },
    };
    return { engine, target: { project: { name: 'demo', dir: h.dir }, environment } };
  }

  it('plan -> approve -> apply -> Applied with the rollout in the run log; secrets masked in the journal', async () => {
    const { engine, target } = setup('helixdb/helix:1.0');
    const plan = await (await engine.startPlan(target)).done;
    assert.equal(plan.run.state, 'Planned', plan.run.error);
    assert.deepEqual(plan.model!.resources.map((r) => r.action), ['create', 'create', 'create']);
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
    const t0 = Date.now();
    while (!h.server.store.watchers.size && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    await engine.cancel(plan.run.id);
    const done = await handle.done;
    assert.equal(done.run.state, 'Cancelled');
    const t1 = Date.now();
    while (h.server.store.watchers.size > 0 && Date.now() - t1 < 2000) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.server.store.watchers.size, 0);
    await engine.dispose();
  });
});
