import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { deployTargetFor } from '../../../src/core/engine/target';
import { clusterRow } from '../../../src/views/kubernetes';
import { startKubeServer, type KubeServer } from '../../support/kube-server';
import { api } from './helpers';
import { poll } from '../../support/poll';

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
  let views: any;
  const config = () => vscode.workspace.getConfiguration('helixDeploy.kubernetes');

  before(async () => {
    server = await startKubeServer({ stepMs: 20, secondMs: 50, bookmarkMs: 200 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helix-exthost-k8s-'));
    const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'));
    await config().update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
    ({ container, views } = await api());
    await container.projects.refresh();
    project = await poll(() => container.projects.projects.find((p: any) => p.name === 'k8s-demo'), {
      what: 'the k8s-demo project',
      timeoutMs: 15_000,
    });
    env = project.environments.find((e: any) => e.name === 'prod-k8s');
    assert.equal(env?.kind, 'kubernetes');
    assert.ok(container.kubernetes?.provider, 'registerKubernetes exposes its provider');
  });

  after(async () => {
    await config().update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the Environments row shows the context/namespace and the cluster as reachable', async () => {
    const clusters = views.clusters;
    assert.ok(clusters, 'the Environments view tracks kubernetes clusters');
    const view = await poll(
      () => {
        const v = clusters.view(project, env);
        return v.cluster.state === 'reachable' || v.cluster.state === 'unreachable' ? v : undefined;
      },
      { what: 'the reachability check', timeoutMs: 15_000 },
    );
    assert.equal(view.cluster.state, 'reachable', JSON.stringify(view));
    assert.equal(view.context, 'standin');
    assert.equal(view.namespace, 'default');
    assert.equal(clusterRow(view).description, 'kubernetes · standin/default · reachable');
    const status = await container.deploy.engine.toolStatus({ environment: env });
    assert.equal(status.state, 'ok', status.message);
    assert.equal(status.tool, 'kubernetes');
  });

  it("lists the kubeconfig contexts in the Environments view, with each context's namespaces on expand", async () => {
    const tree = views.environments;
    const top = await tree.getChildren();
    const group = top.find((n: any) => n.type === 'kube-contexts');
    assert.ok(group, 'a "Kubernetes contexts" node once a project deploys to Kubernetes');
    assert.equal(tree.getTreeItem(group).label, 'Kubernetes contexts');
    const contexts = await tree.getChildren(group);
    const standin = contexts.find((n: any) => n.name === 'standin');
    assert.ok(standin, JSON.stringify(contexts));
    assert.match(String(tree.getTreeItem(standin).description), /current/);
    const namespaces = (await tree.getChildren(standin)).map((n: any) => n.name);
    assert.ok(namespaces.includes('default'), `namespaces: ${namespaces.join(', ')}`);
  });

  it('plans, approves and applies from the palette commands and rolls out to ready; the Deployments view shows the pods while visible', async () => {
    const engine = await container.deploy.engine.get();
    // What the palette's Plan resolves: the target from helix.deploy.toml (`${image}` = registry:tag).
    assert.equal(deployTargetFor(project, 'prod-k8s').context?.image, '127.0.0.1:5000/k8s-demo:1');
    const runs = () => engine.list({ project: 'k8s-demo', environment: 'prod-k8s' });
    // The commands wait on notifications a person would click: drive them without awaiting the prompts.
    void vscode.commands.executeCommand('helixDeploy.deploy.plan', { project, environment: env });
    const planned = await poll(
      () => runs().find((r: any) => r.kind === 'plan' && ['Planned', 'PlanFailed'].includes(r.state)),
      { what: 'a Planned run', timeoutMs: 60_000 },
    );
    assert.equal(planned.state, 'Planned', `${planned.error}\n${planned.log.join('\n')}`);
    const plan = engine.snapshot(planned.id);
    assert.equal(plan.tool, 'kubernetes');
    assert.deepEqual(
      plan.model.resources.map((r: any) => r.action),
      ['create', 'create', 'create'],
    );
    assert.ok(!JSON.stringify(plan.model).includes('s3cr3t-api-key-value'), 'Secret data masked in the plan');
    void vscode.commands.executeCommand('helixDeploy.deploy.approve', planned.id);
    await poll(() => runs().find((r: any) => r.id === planned.id && r.state === 'Approved'), {
      what: 'the run Approved',
      timeoutMs: 15_000,
    });
    void vscode.commands.executeCommand('helixDeploy.deploy.apply', planned.id);
    const applied = await poll(
      () => runs().find((r: any) => r.id === planned.id && ['Applied', 'ApplyFailed', 'Cancelled'].includes(r.state)),
      { what: 'the rollout to finish', timeoutMs: 60_000 },
    );
    assert.equal(applied.state, 'Applied', `${applied.error}\n${applied.log.join('\n')}`);
    assert.ok(
      applied.log.some((l: string) => /successfully rolled out/.test(l)),
      applied.log.join('\n'),
    );

    const workloads = views.workloads;
    assert.ok(workloads, 'the Deployments view has a kubernetes section');
    await vscode.commands.executeCommand('helixDeploy.deployments.focus');
    await poll(() => workloads.watching, { what: 'the watches to start when the view is visible', timeoutMs: 15_000 });
    const row = await poll(
      () => {
        const r = workloads.rows(project, env).find((d: any) => d.name === 'helix');
        return r && r.pods.length === 2 && r.pods.every((p: any) => p.phase === 'Running' && p.ready === p.containers)
          ? r
          : undefined;
      },
      { what: 'two ready pods in the Deployments view', timeoutMs: 15_000 },
    );
    assert.equal(row.image, '127.0.0.1:5000/k8s-demo:1');
    assert.ok(row.pods.every((p: any) => p.restarts === 0));
    const envNode = workloads.children().find((n: any) => n.environment?.name === 'prod-k8s');
    const depNode = workloads.children(envNode).find((n: any) => n.type === 'k8s-deployment');
    const pods = workloads.children(depNode);
    assert.equal(pods.length, 2);
    assert.match(String(workloads.treeItem(pods[0]).description), /^Running · 1\/1 ready · 0 restarts · \d+s$/);

    // Another view container: the Deployments view is hidden, its watches are closed.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await poll(() => !workloads.watching, { what: 'the watches to stop when the view is hidden', timeoutMs: 15_000 });
    await poll(() => server.store.watchers.size === 0, { what: 'no watch left open on the server', timeoutMs: 15_000 });
  });

  it('Rollback from the palette is a planned run of the engine: reviewed, approved, applied, journaled', async () => {
    const engine = await container.deploy.engine.get();
    const target = {
      project: { name: project.name, dir: project.dir },
      environment: env,
      context: { image: '127.0.0.1:5000/k8s-demo:2', tag: '2' },
    };
    const v2 = await (await engine.startPlan(target)).done;
    assert.equal(v2.run.state, 'Planned', v2.run.error);
    await engine.approve(v2.run.id, v2.planHash);
    assert.equal((await (await engine.startApply(v2.run.id)).done).run.state, 'Applied');
    assert.equal(container.deploy.engine.canRollback(target), true);

    const rollbacks = () =>
      engine.list({ project: 'k8s-demo', environment: 'prod-k8s' }).filter((r: any) => r.kind === 'rollback');
    void vscode.commands.executeCommand('helixDeploy.kubernetes.rollback', { project, environment: env });
    const rb = await poll(() => rollbacks().find((r: any) => ['Planned', 'PlanFailed'].includes(r.state)), {
      what: 'a Planned rollback run',
      timeoutMs: 60_000,
    });
    assert.equal(rb.state, 'Planned', `${rb.error}\n${rb.log.join('\n')}`);
    const snap = engine.snapshot(rb.id);
    assert.deepEqual(
      snap.model.resources.map((r: any) => [r.address, r.action]),
      [['default/Deployment/helix', 'update']],
    );
    void vscode.commands.executeCommand('helixDeploy.deploy.approve', rb.id);
    await poll(() => rollbacks().find((r: any) => r.id === rb.id && r.state === 'Approved'), {
      what: 'the rollback Approved',
      timeoutMs: 15_000,
    });
    void vscode.commands.executeCommand('helixDeploy.deploy.apply', rb.id);
    const done = await poll(
      () => rollbacks().find((r: any) => r.id === rb.id && ['Applied', 'ApplyFailed', 'Cancelled'].includes(r.state)),
      { what: 'the rollback rollout', timeoutMs: 60_000 },
    );
    assert.equal(done.state, 'Applied', done.error);
    const d = server.store.list({ resource: 'deployments' } as any).find((o: any) => o.metadata.name === 'helix');
    assert.equal(d?.spec.template.spec.containers[0].image, '127.0.0.1:5000/k8s-demo:1');
  });

  it('an unreachable cluster and an expired credential are states of the environment row, and a plan fails fast with the reason', async () => {
    const clusters = views.clusters;
    const engine = await container.deploy.engine.get();
    const planOf = async () => {
      const before = new Set(engine.list({ project: 'k8s-demo', environment: 'prod-k8s' }).map((r: any) => r.id));
      const t0 = Date.now();
      void vscode.commands.executeCommand('helixDeploy.deploy.plan', { project, environment: env });
      const run = await poll(
        () =>
          engine
            .list({ project: 'k8s-demo', environment: 'prod-k8s' })
            .find((r: any) => !before.has(r.id) && !['Draft', 'Planning'].includes(r.state)),
        { what: 'the plan to end', timeoutMs: 30_000 },
      );
      return { run, ms: Date.now() - t0 };
    };
    const settled = () =>
      poll(
        () => {
          const v = clusters.view(project, env);
          return v.cluster.state === 'reachable' || v.cluster.state === 'unreachable' ? v : undefined;
        },
        { what: 'the reachability check', timeoutMs: 15_000 },
      );

    // 1. Nothing listens at the server address any more.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const dead = path.join(dir, 'kubeconfig-dead');
    fs.writeFileSync(
      dead,
      fs
        .readFileSync(path.join(dir, 'kubeconfig'), 'utf8')
        .replace(/http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${port}`),
    );
    await config().update('kubeconfig', dead, vscode.ConfigurationTarget.Global);
    let view = await settled();
    assert.equal(view.cluster.state, 'unreachable', JSON.stringify(view));
    assert.match(clusterRow(view).description, /· unreachable$/);
    assert.match(clusterRow(view).tooltip, new RegExp(`127\\.0\\.0\\.1:${port}|ECONNREFUSED|refused`));
    let plan = await planOf();
    assert.equal(plan.run.state, 'PlanFailed', plan.run.error);
    assert.match(plan.run.error, /unreachable|refused|127\.0\.0\.1/i);
    assert.ok(plan.ms < 20_000, `took ${plan.ms} ms`);

    // 2. The server is back but wants a token the kubeconfig does not have (an expired credential).
    server.setToken('rotated-token');
    try {
      const stale = server.writeKubeconfig(path.join(dir, 'kubeconfig-stale'), { token: 'expired-token' });
      await config().update('kubeconfig', stale, vscode.ConfigurationTarget.Global);
      view = await settled();
      assert.equal(view.cluster.state, 'unreachable', JSON.stringify(view));
      assert.match(clusterRow(view).tooltip, /credential|log in|unauthori[sz]ed/i);
      plan = await planOf();
      assert.equal(plan.run.state, 'PlanFailed', plan.run.error);
      assert.match(plan.run.error, /credential|log in|unauthori[sz]ed/i);
    } finally {
      server.setToken(undefined);
      await config().update('kubeconfig', path.join(dir, 'kubeconfig'), vscode.ConfigurationTarget.Global);
    }
    assert.equal((await settled()).cluster.state, 'reachable', 'back to reachable once the kubeconfig is good again');
  });
});
