import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { deployTargetFor } from '../../../src/core/engine/target';
import { startKubeServer, type KubeServer } from '../../support/kube-server';
import { api, until } from './helpers';

// A kubernetes environment (test/fixtures/workspace/k8s-demo) inside a real extension host: the cluster is
// the stand-in API server this suite starts (test/support/kube-server, checked against real kubectl), and
// the `helixDeploy.kubernetes.kubeconfig` setting points at a temp kubeconfig for it. The extension's own
// engine plans through the Kubernetes provider, approves, applies and watches the rollout to ready; the
// Environments row shows the cluster reachable, the Deployments view's pods rows go live only while the view
// is visible; a rollback is a planned run of the same engine.

describe('kubernetes environment through the engine (extension host)', function () {
  this.timeout(120_000);
  let container: any;
  let server: KubeServer;
  let dir: string;
  let project: any;
  let env: any;
  const config = () => vscode.workspace.getConfiguration('helixDeploy.kubernetes');

  before(async () => {
    server = await startKubeServer({ stepMs: 20, secondMs: 50, bookmarkMs: 200 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helix-exthost-k8s-'));
    const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'));
    await config().update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
    ({ container } = await api());
    await container.projects.refresh();
    project = await until(() => container.projects.projects.find((p: any) => p.name === 'k8s-demo'), 'the k8s-demo project');
    env = project.environments.find((e: any) => e.name === 'staging-k8s');
    assert.equal(env?.kind, 'kubernetes');
    assert.ok(container.kubernetes?.provider, 'registerKubernetes exposes its provider');
  });

  after(async () => {
    await config().update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the Environments row shows the context/namespace and the cluster as reachable', async () => {
    const clusters = container.kubernetesViews?.clusters;
    assert.ok(clusters, 'the Environments view tracks kubernetes clusters');
    const view = await until(() => {
      const v = clusters.view(project, env);
      return v.cluster.state === 'reachable' || v.cluster.state === 'unreachable' ? v : undefined;
    }, 'the reachability check');
    assert.equal(view.cluster.state, 'reachable', JSON.stringify(view));
    assert.equal(view.context, 'standin');
    assert.equal(view.namespace, 'default');
    const status = await container.deploy.engine.toolStatus({ environment: env });
    assert.equal(status.state, 'ok', status.message);
    assert.equal(status.tool, 'kubernetes');
  });

  it('plans through the engine, approves, applies and rolls out to ready; the Deployments view shows the pods while visible', async () => {
    const engine = await container.deploy.engine.get();
    // What the palette's Plan does: the target from helix.deploy.toml (`${image}` = registry:tag).
    const target = deployTargetFor(project, 'staging-k8s');
    assert.equal(target.context?.image, '127.0.0.1:5000/k8s-demo:1');
    const plan = await (await engine.startPlan(target)).done;
    assert.equal(plan.run.state, 'Planned', `${plan.run.error}\n${plan.run.log.join('\n')}`);
    assert.equal(plan.tool, 'kubernetes');
    assert.deepEqual(plan.model.resources.map((r: any) => r.action), ['create', 'create', 'create']);
    assert.ok(!JSON.stringify(plan.model).includes('s3cr3t-api-key-value'), 'Secret data masked in the plan');
    await engine.approve(plan.run.id, plan.planHash);
    const applied = await (await engine.startApply(plan.run.id)).done;
    assert.equal(applied.run.state, 'Applied', `${applied.run.error}\n${applied.run.log.join('\n')}`);
    assert.ok(applied.run.log.some((l: string) => /successfully rolled out/.test(l)), applied.run.log.join('\n'));

    const workloads = container.kubernetesViews?.workloads;
    assert.ok(workloads, 'the Deployments view has a kubernetes section');
    await vscode.commands.executeCommand('helixDeploy.deployments.focus');
    await until(() => workloads.watching, 'the watches to start when the view is visible');
    const row = await until(() => {
      const r = workloads.rows(project, env).find((d: any) => d.name === 'helix');
      return r && r.pods.length === 2 && r.pods.every((p: any) => p.phase === 'Running' && p.ready === p.containers) ? r : undefined;
    }, 'two ready pods in the Deployments view');
    assert.equal(row.image, '127.0.0.1:5000/k8s-demo:1');
    assert.ok(row.pods.every((p: any) => p.restarts === 0));
    const envNode = workloads.children().find((n: any) => n.environment?.name === 'staging-k8s');
    const depNode = workloads.children(envNode).find((n: any) => n.type === 'k8s-deployment');
    const pods = workloads.children(depNode);
    assert.equal(pods.length, 2);
    assert.match(String(workloads.treeItem(pods[0]).description), /^Running · 1\/1 ready · 0 restarts · \d+s$/);

    // Another view container: the Deployments view is hidden, its watches are closed.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await until(() => !workloads.watching, 'the watches to stop when the view is hidden');
    await until(() => server.store.watchers.size === 0, 'no watch left open on the server');
  });

  it('rolls back as a planned run of the engine: reviewed, approved, applied', async () => {
    const engine = await container.deploy.engine.get();
    const target = { project: { name: project.name, dir: project.dir }, environment: env, context: { image: '127.0.0.1:5000/k8s-demo:2' } };
    const v2 = await (await engine.startPlan(target)).done;
    assert.equal(v2.run.state, 'Planned', v2.run.error);
    await engine.approve(v2.run.id, v2.planHash);
    assert.equal((await (await engine.startApply(v2.run.id)).done).run.state, 'Applied');
    assert.equal(container.deploy.engine.canRollback(target), true);

    const rb = await (await container.deploy.engine.planRollback(target)).done;
    assert.equal(rb.run.kind, 'rollback');
    assert.equal(rb.run.state, 'Planned', `${rb.run.error}\n${rb.run.log.join('\n')}`);
    assert.deepEqual(rb.model.resources.map((r: any) => [r.address, r.action]), [['default/Deployment/helix', 'update']]);
    await engine.approve(rb.run.id, rb.planHash);
    const done = await (await engine.startApply(rb.run.id)).done;
    assert.equal(done.run.state, 'Applied', done.run.error);
    const d = server.store.list({ resource: 'deployments' } as any).find((o: any) => o.metadata.name === 'helix');
    assert.equal(d?.spec.template.spec.containers[0].image, '127.0.0.1:5000/k8s-demo:1');
  });
});
