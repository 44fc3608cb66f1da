import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, type Harness } from './harness';
import { DeployRunner } from '../../../src/core/engine/engine';
import { Journal } from '../../../src/core/engine/journal';
import { LockManager } from '../../../src/core/engine/locks';
import { KubernetesProvider } from '../../../src/providers/kubernetes/provider';
import type { Environment } from '../../../src/core/model/types';

// Kubernetes cost estimates through the real engine and provider: the plan file the provider writes, the
// server's dry-run objects and the live objects they are diffed with; rates from helix.deploy.toml.

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: helix
  labels: {app.kubernetes.io/name: helix}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app.kubernetes.io/name: helix}
  template:
    metadata:
      labels: {app.kubernetes.io/name: helix}
    spec:
      containers:
        - name: helix
          image: helixdb/helix:1.0
          resources: {requests: {cpu: 500m, memory: 1Gi}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: helix-config}
data: {mode: prod}
`;

describe('cost estimate of Kubernetes plans (engine, provider, stand-in API server)', function () {
  this.timeout(60000);
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

  it('prices requests × rates, warns over budget_monthly, records it, and prices a scale-up as a delta', async () => {
    const manifests = path.join(h.dir, 'k8s');
    fs.mkdirSync(manifests);
    fs.writeFileSync(path.join(manifests, 'app.yaml'), deployment(2));
    fs.writeFileSync(
      path.join(h.dir, 'helix.deploy.toml'),
      '[cost.kubernetes]\ncpu_core_hour = 0.04\nmemory_gib_hour = 0.005\n',
    );
    const engine = new DeployRunner({
      journal,
      locks: new LockManager(path.join(h.dir, 'locks')),
      stateDir: path.join(h.dir, 'state'),
      providers: { kubernetes: new KubernetesProvider() },
      who: () => 'test <test@example.invalid>',
      cost: () => ({}),
    });
    const environment: Environment = {
      name: 'prod',
      kind: 'kubernetes',
      source: 'helix.deploy.toml',
      settings: {
        kubernetes: { context: 'standin', namespace: 'default', manifests, kubeconfig: h.kubeconfig },
        budget_monthly: 40,
      },
    };
    const target = { project: { name: 'demo', dir: h.dir }, environment };
    try {
      const plan = await (await engine.startPlan(target)).done;
      assert.equal(plan.run.state, 'Planned', plan.run.error);
      const cost = plan.model!.cost!;
      // 2 replicas x (0.5 CPU x 0.04 + 1 GiB x 0.005) x 730 h
      assert.deepEqual(
        cost.resources.map((r) => [r.address, r.monthly, r.pastMonthly]),
        [
          ['default/ConfigMap/helix-config', 0, 0],
          ['default/Deployment/helix', 36.5, 0],
        ],
      );
      assert.equal(cost.totalMonthly, 36.5);
      assert.equal(plan.model!.budgetWarning, undefined, 'within budget');
      assert.equal((plan.run.meta?.cost as { totalMonthly: number }).totalMonthly, 36.5);
      await engine.approve(plan.run.id, plan.planHash!);
      assert.equal((await (await engine.startApply(plan.run.id)).done).run.state, 'Applied');

      fs.writeFileSync(path.join(manifests, 'app.yaml'), deployment(3));
      const again = await (await engine.startPlan(target)).done;
      assert.equal(again.run.state, 'Planned', again.run.error);
      const up = again.model!.cost!;
      assert.deepEqual([up.pastTotalMonthly, up.totalMonthly, up.diffMonthly], [36.5, 54.75, 18.25]);
      assert.equal(again.model!.budgetWarning?.estimateMonthly, 54.75);
      assert.match(again.model!.budgetWarning!.message, /over its budget_monthly of \$40\.00/);
      assert.equal((again.run.meta?.budgetWarning as { kind: string }).kind, 'budget');
      await engine.discard(again.run.id);
    } finally {
      await engine.dispose();
    }
  });
});
