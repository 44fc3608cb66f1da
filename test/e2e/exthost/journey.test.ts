import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';
import { addFixtureProject } from './projects';
import { poll } from '../../support/poll';
import { collect } from '../../support/process';

// The whole journey in the editor, health deciding: helix.toml edited through the editor and saved, Build
// Image, Push Image, Plan (shows the pushed digest), Approve, Apply, healthy; then a new image whose
// deployment answers unhealthy: Unhealthy, Roll Back offered, and auto_rollback applies the previous digest
// again, healthy. Last, the headless CLI deploys the same project and the extension shows its runs.
// The deployment is an HTTP server of this test (one path per deployed image, from terraform's `url` output).

/** The deployed image as a URL path segment (the same as terraform's replace in main.tf). */
const slug = (image: string) => image.replace(/[^a-z0-9]/g, '-');

describe('journey in the editor: edit, build, push, plan, approve, apply, unhealthy, auto-rollback, CLI', function () {
  this.timeout(400_000);
  let c: any;
  let project: any;
  let server: http.Server;
  let port = 0;
  const unhealthy = new Set<string>();
  const registry = process.env.HELIX_TEST_REGISTRY ?? '';
  const repository = `${registry}/journey-demo`;
  const node = (name: string) => ({
    type: 'environment',
    project,
    environment: project.environments.find((e: any) => e.name === name),
  });
  const target = () => ({ project, environment: project.environments.find((e: any) => e.name === 'live') });
  const runs = async (kind?: string) =>
    (await c.journal).list({ project: 'journey-demo', environment: 'live', ...(kind ? { kind } : {}) });
  const tfImage = () =>
    JSON.parse(fs.readFileSync(path.join(project.dir, 'infra', 'terraform.tfstate'), 'utf8')).outputs.image.value;

  before(async () => {
    if (!process.env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set in the extension host');
    if (!registry) throw new Error('HELIX_TEST_REGISTRY is not set in the extension host');
    server = http.createServer((req, res) => {
      const [, s, route] = (req.url ?? '').split('/');
      const ok = (route === 'healthz' || route === 'readyz') && !unhealthy.has(s!);
      res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    ({ container: c } = await api());
    const dir = addFixtureProject('journey-demo');
    fs.copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
    const deployToml = path.join(dir, 'helix.deploy.toml');
    fs.writeFileSync(deployToml, fs.readFileSync(deployToml, 'utf8').replace('${HELIX_TEST_REGISTRY}', registry));
    fs.mkdirSync(path.join(dir, 'infra'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'infra', 'main.tf'),
      'variable "image" { type = string }\nresource "terraform_data" "app" { input = var.image }\n' +
        `output "url" { value = "http://127.0.0.1:${port}/\${replace(var.image, "/[^a-z0-9]/", "-")}" }\noutput "image" { value = var.image }\n`,
    );
    project = await poll(
      async () => {
        await c.projects.refresh();
        return c.projects.projects.find(
          (p: any) =>
            p.name === 'journey-demo' &&
            p.environments.some((e: any) => e.name === 'live' && e.settings.registry === repository),
        );
      },
      { what: 'journey-demo with the test registry', timeoutMs: 30_000 },
    );
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  /** Edits helix.toml as a person does: a WorkspaceEdit on the open document, then saved. */
  const editToml = async (port: number) => {
    const doc = await vscode.workspace.openTextDocument(path.join(project.dir, 'helix.toml'));
    await vscode.window.showTextDocument(doc);
    const line = Array.from({ length: doc.lineCount }, (_, i) => doc.lineAt(i)).find((l) =>
      l.text.startsWith('port = '),
    );
    assert.ok(line, 'helix.toml has a port line');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, line.range, `port = ${port}`);
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applied');
    assert.ok(await doc.save(), 'helix.toml saved');
    assert.match(fs.readFileSync(doc.uri.fsPath, 'utf8'), new RegExp(`port = ${port}`));
  };
  /** Build Image (the environment's instance) and Push Image (the environment), from the commands. */
  const buildAndPush = async () => {
    assert.equal(
      await vscode.commands.executeCommand('helixDeploy.local.build', node('dev')),
      true,
      'Build Image succeeded',
    );
    const before = new Set((await runs('push')).map((r: any) => r.id));
    await vscode.commands.executeCommand('helixDeploy.push.pushImage', node('live'));
    const [push] = (await runs('push')).filter((r: any) => !before.has(r.id));
    assert.ok(push, 'a push run');
    assert.equal(push.state, 'Succeeded', push.error);
    assert.match(push.meta.digest, /^sha256:[0-9a-f]{64}$/);
    return { digest: push.meta.digest as string, ref: `${repository}@${push.meta.digest}` };
  };
  /** Plan, Approve, Apply from the palette commands (their prompts left unanswered, as in deploy.test.ts). */
  const deploy = async (ref: string) => {
    const before = new Set((await runs()).map((r: any) => r.id));
    void vscode.commands.executeCommand('helixDeploy.deploy.plan', target());
    const planned = await poll(
      async () => (await runs()).find((r: any) => !before.has(r.id) && ['Planned', 'PlanFailed'].includes(r.state)),
      { what: 'the plan to end', timeoutMs: 120_000 },
    );
    assert.equal(planned.state, 'Planned', `${planned.error}\n${planned.log.join('\n')}`);
    assert.equal(c.deploy.engine.snapshot(planned.id)?.model?.image?.ref, ref, 'the plan shows the pushed digest');
    assert.equal(planned.meta.image.ref, ref);
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

  let first: any;
  let v1: { digest: string; ref: string };
  let v2digest = '';

  it('edit helix.toml, Build Image, Push Image, Plan shows the digest, Approve, Apply: healthy', async () => {
    await editToml(26995);
    v1 = await buildAndPush();
    first = await deploy(v1.ref);
    assert.equal(first.state, 'Applied', first.error);
    assert.equal(first.meta.health, 'healthy');
    assert.equal(first.meta.deployed.vars.image, v1.ref);
    assert.equal(tfImage(), v1.ref, 'terraform deployed the pushed digest');
    await poll(() => c.local.health.get(`${project.dir}#live`)?.status === 'healthy', {
      what: 'the environment health set from the run',
      timeoutMs: 15_000,
    });
  });

  it('a new image that answers unhealthy: Unhealthy, Roll Back offered, auto_rollback back to the previous digest, healthy', async () => {
    assert.ok(first, 'the first deployment');
    await editToml(26996);
    const v2 = await buildAndPush();
    v2digest = v2.digest;
    assert.notEqual(v2.digest, v1.digest, 'the edited helix.toml makes a new image');
    unhealthy.add(slug(v2.ref));
    const bad = await deploy(v2.ref);
    assert.equal(bad.state, 'Unhealthy', bad.error);
    assert.equal(bad.meta.health, 'unhealthy');
    assert.match(bad.error, /Applied, but the health check failed: .*readiness/);
    assert.equal(c.deploy.engine.canRollback(target()), true, 'Roll Back is offered');
    const tree = (await api()).views.deployments;
    const row = await poll(
      () =>
        (tree.getChildren({ type: 'section', section: 'history' }) as any[]).find(
          (n) => n.run?.id === bad.id && n.run.state === 'Unhealthy',
        ),
      { what: 'the Unhealthy run in the Deployments view', timeoutMs: 20_000 },
    );
    const menus = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.menus['view/item/context'] as {
      command: string;
      when: string;
      group?: string;
    }[];
    const rollbackMenu = menus.find(
      (m) =>
        m.command === 'helixDeploy.deploy.rollback' &&
        m.when.includes('helixDeploy.deployments') &&
        m.group?.startsWith('inline'),
    );
    assert.match(
      tree.getTreeItem(row).contextValue,
      new RegExp(rollbackMenu!.when.match(/viewItem =~ \/(.*)\//)![1]!),
      'the Unhealthy row offers Roll Back',
    );

    const rb = await poll(
      async () =>
        (await runs('rollback')).find((r: any) =>
          ['Applied', 'Unhealthy', 'ApplyFailed', 'PlanFailed'].includes(r.state),
        ),
      { what: 'the automatic rollback to end', timeoutMs: 120_000 },
    );
    assert.equal(rb.state, 'Applied', rb.error);
    assert.equal(rb.who, 'auto-rollback');
    assert.equal(rb.meta.rollbackTo, first.id);
    assert.equal(rb.meta.health, 'healthy');
    assert.equal(rb.meta.deployed.vars.image, v1.ref);
    assert.equal((await runs()).find((r: any) => r.id === bad.id).meta.autoRollback, rb.id);
    assert.equal(tfImage(), v1.ref, 'the previous digest is deployed again');
    await poll(() => c.local.health.get(`${project.dir}#live`)?.status === 'healthy', {
      what: 'the environment healthy again',
      timeoutMs: 15_000,
    });
  });

  it('the headless CLI builds, pushes and deploys the same project; the extension shows its runs', async () => {
    await editToml(26997);
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    // Asynchronous: this process's health server must answer while the CLI deploys.
    const run = (args: string[]) =>
      collect(process.execPath, [cli, ...args], {
        cwd: project.dir,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
      });
    const built = await run(['build', 'live', '--json', '--quiet']);
    assert.equal(built.code, 0, built.stderr + built.stdout);
    const pushed = await run(['push', 'live', '--json', '--quiet']);
    assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);
    const p = JSON.parse(pushed.stdout);
    assert.notEqual(p.digest, v1.digest);
    const deployed = await run(['deploy', 'live', '--yes', '--json', '--quiet']);
    assert.equal(deployed.code, 0, deployed.stderr + deployed.stdout);
    const d = JSON.parse(deployed.stdout);
    assert.equal(d.state, 'Applied');
    assert.equal(d.image.ref, p.ref);
    assert.equal(d.health, 'healthy');

    const tree = (await api()).views.deployments;
    const row = await poll(
      () =>
        (tree.getChildren({ type: 'section', section: 'history' }) as any[]).find(
          (n) => n.run?.id === d.run && n.run.state === 'Applied',
        ),
      { what: 'the CLI deploy in the Deployments view', timeoutMs: 20_000 },
    );
    assert.equal(row.run.meta?.image?.ref, p.ref, "the row's run records the CLI's pushed digest");
    assert.equal(
      c.deploy.engine.list({ environment: 'live' }).find((r: any) => r.id === d.run)?.state,
      'Applied',
      'the engine lists the CLI run',
    );
    const push = (await runs('push')).find((r: any) => r.meta?.digest === p.digest);
    assert.ok(push, 'the CLI push is in the run history the extension reads');
    const history = await run(['history', '--json']);
    assert.equal(history.code, 0, history.stderr);
    // The whole story, editor and CLI runs alike, oldest first.
    const story = (JSON.parse(history.stdout) as any[])
      .reverse()
      .filter((r) => ['push', 'plan', 'rollback'].includes(r.kind));
    assert.deepEqual(
      story.map((r) => `${r.kind}:${r.state}:${r.meta?.digest ?? r.meta?.deployed?.vars?.image ?? ''}`),
      [
        `push:Succeeded:${v1.digest}`,
        `plan:Applied:${v1.ref}`,
        `push:Succeeded:${v2digest}`,
        `plan:Unhealthy:${repository}@${v2digest}`,
        `rollback:Applied:${v1.ref}`,
        `push:Succeeded:${p.digest}`,
        `plan:Applied:${p.ref}`,
      ],
      history.stdout,
    );
  });
});
