import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';
import { addFixtureProject } from './projects';
import { poll } from '../../support/poll';

// Health decides, from the palette with the real terraform and no deployment panel: the engine checks the
// environment's health after the apply, the run and the Deployments view show it, and an Unhealthy apply is
// shown as such with its Roll Back action.

describe('health after a palette apply (extension host, real terraform, no panel)', function () {
  this.timeout(240_000);
  let c: any;
  let target: { project: any; environment: any };
  let server: http.Server;
  let ready = true;
  let port = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      const ok = req.url?.endsWith('/healthz') || (req.url?.endsWith('/readyz') && ready);
      res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    ({ container: c } = await api());
    addFixtureProject('health-demo');
    const project = await poll(
      async () => {
        await c.projects.refresh();
        return c.projects.projects.find((p: any) => p.name === 'health-demo');
      },
      { what: 'the health-demo project', timeoutMs: 15_000 },
    );
    target = { project, environment: project.environments.find((e: any) => e.name === 'live') };
    assert.ok(target.environment, 'the live environment from helix.deploy.toml');
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const runs = async () => (await c.journal).list({ project: 'health-demo', environment: 'live' });
  const writeTf = (version: string) => {
    const dir = path.join(target.project.dir, 'infra');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'main.tf'),
      `variable "image" { type = string }
resource "terraform_data" "app" { input = "${version}" }
output "url" { value = "http://127.0.0.1:${port}/${version}" }
`,
    );
  };
  /** Plan, Approve, Apply from the palette commands (their prompts left unanswered, as in deploy.test.ts). */
  const deploy = async () => {
    const before = new Set((await runs()).map((r: any) => r.id));
    void vscode.commands.executeCommand('helixDeploy.deploy.plan', target);
    const planned = await poll(
      async () => (await runs()).find((r: any) => !before.has(r.id) && ['Planned', 'PlanFailed'].includes(r.state)),
      { what: 'the plan to end', timeoutMs: 120_000 },
    );
    assert.equal(planned.state, 'Planned', `${planned.error}\n${planned.log.join('\n')}`);
    void vscode.commands.executeCommand('helixDeploy.deploy.approve', planned.id);
    await poll(async () => (await runs()).find((r: any) => r.id === planned.id && r.state === 'Approved'), {
      what: 'the run Approved',
      timeoutMs: 15_000,
    });
    void vscode.commands.executeCommand('helixDeploy.deploy.apply', planned.id);
    return poll(
      async () =>
        (await runs()).find(
          (r: any) => r.id === planned.id && ['Applied', 'Unhealthy', 'ApplyFailed'].includes(r.state),
        ),
      { what: 'the apply to end', timeoutMs: 120_000 },
    );
  };

  it('records health in the run and the environment health, with no panel open', async () => {
    writeTf('v1');
    ready = true;
    const applied = await deploy();
    assert.equal(applied.state, 'Applied', applied.error);
    assert.equal(applied.meta.health, 'healthy');
    assert.deepEqual(
      applied.meta.healthChecks.map((x: any) => [x.name, x.url, x.ok]),
      [
        ['liveness', `http://127.0.0.1:${port}/v1/healthz`, true],
        ['readiness', `http://127.0.0.1:${port}/v1/readyz`, true],
      ],
    );
    // The Deployments view and a later panel read the environment's health from the health service.
    const key = `${target.project.dir}#live`;
    await poll(() => c.local.health.get(key)?.status === 'healthy', {
      what: 'the environment health set from the run',
      timeoutMs: 15_000,
    });
  });

  it('an unhealthy apply ends Unhealthy, shown in the Deployments view with its Roll Back action', async () => {
    const healthy = (await runs()).find((r: any) => r.state === 'Applied');
    writeTf('v2');
    ready = false;
    const bad = await deploy();
    assert.equal(bad.state, 'Unhealthy', bad.error);
    assert.equal(bad.meta.health, 'unhealthy');
    assert.match(bad.error, /Applied, but the health check failed: .*readiness/);
    assert.equal(c.local.health.get(`${target.project.dir}#live`)?.status, 'unhealthy');

    const tree = (await api()).views.deployments;
    const node = await poll(
      () =>
        (tree.getChildren({ type: 'section', section: 'history' }) as any[]).find(
          (n) => n.run?.id === bad.id && n.run.state === 'Unhealthy',
        ),
      { what: 'the Unhealthy run in the Deployments view', timeoutMs: 20_000 },
    );
    const item = tree.getTreeItem(node);
    assert.match(String(item.description), /^Unhealthy \(applied, health check failed\)/);
    assert.equal(item.iconPath.id, 'heart');
    assert.match(item.contextValue, /:unhealthy$/);
    const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus['view/item/context'] as {
      command: string;
      when: string;
      group?: string;
    }[];
    const rollback = menus.find(
      (m) =>
        m.command === 'helixDeploy.deploy.rollback' &&
        m.when.includes('helixDeploy.deployments') &&
        m.group?.startsWith('inline'),
    );
    assert.ok(rollback, 'an inline Roll Back on Deployments rows');
    assert.match(
      item.contextValue,
      new RegExp(rollback!.when.match(/viewItem =~ \/(.*)\//)![1]!),
      'the Unhealthy row matches the Roll Back menu',
    );
    assert.equal(c.deploy.engine.canRollback(target), true);

    // The row's action: a rollback planned to the previous healthy deployment.
    void vscode.commands.executeCommand('helixDeploy.deploy.rollback', node);
    const rb = await poll(
      async () => (await runs()).find((r: any) => r.kind === 'rollback' && ['Planned', 'PlanFailed'].includes(r.state)),
      { what: 'the rollback plan', timeoutMs: 120_000 },
    );
    assert.equal(rb.state, 'Planned', rb.error);
    assert.equal(rb.meta.rollbackTo, healthy.id);
    await c.deploy.engine.discard(rb.id);
  });
});
