import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api } from './helpers';
import { poll } from '../../support/poll';

// The local loop inside a real extension host: commands on the sample project `local-demo`
// (test/fixtures/workspace/local-demo), against the test engine from DOCKER_HOST.

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get(url, { agent: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
      .on('error', () => resolve(0));
  });
}

describe('local Docker loop (extension host)', function () {
  this.timeout(120_000);
  let container: any;
  let node: any;

  before(async () => {
    if (!process.env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set in the extension host');
    ({ container } = await api());
    await container.projects.refresh();
    const project = await poll(() => container.projects.projects.find((p: any) => p.name === 'local-demo'), {
      what: 'the local-demo project',
      timeoutMs: 15_000,
    });
    // The Dockerfile copies busybox from its context; it is not checked in.
    fs.copyFileSync('/bin/busybox', path.join(project.dir, 'busybox'));
    node = { type: 'environment', project, environment: project.environments.find((e: any) => e.name === 'dev') };
    assert.ok(container.local, 'registerLocal exposes its runtime on the container');
    await container.local.ready();
  });

  after(async () => {
    await container?.local?.engine.remove('helix-local-demo-dev').catch(() => undefined);
  });

  it('registers the local commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of [
      'build',
      'start',
      'stop',
      'restart',
      'remove',
      'showLogs',
      'openInBrowser',
      'checkHealth',
      'startDocker',
      'usePodman',
    ]) {
      assert.ok(all.includes(`helixDeploy.local.${id}`), id);
    }
  });

  it('Build Image then Start from the tree node: the instance turns healthy and both runs are in the history', async () => {
    assert.equal(await vscode.commands.executeCommand('helixDeploy.local.build', node), true);
    await vscode.commands.executeCommand('helixDeploy.local.start', node);
    const info = await container.local.engine.inspect('helix-local-demo-dev');
    assert.equal(info?.state, 'running');
    assert.equal(info.labels['helix.project'], 'local-demo');
    assert.deepEqual(
      info.ports.map((p: any) => [p.host, p.container]),
      [[26969, 8080]],
    );
    assert.equal(await get('http://127.0.0.1:26969/healthz'), 200);
    const runs = container.local.journal.list({ project: 'local-demo' });
    assert.deepEqual(
      runs.slice(0, 2).map((r: any) => `${r.kind}:${r.state}`),
      ['start:Succeeded', 'build:Succeeded'],
    );
    assert.equal(container.local.health.get(`${node.project.dir}#dev`)?.status, 'healthy');
  });

  it('the watch sees the container through the event stream (Deployments view visible or not, a refresh lists it)', async () => {
    await container.local.watch.refresh();
    await poll(
      () =>
        container.local.watch.containers.find((c: any) => c.name === 'helix-local-demo-dev' && c.state === 'running'),
      { what: 'the running container in the watch', timeoutMs: 15_000 },
    );
  });

  it('Check Health and Stop', async () => {
    await vscode.commands.executeCommand('helixDeploy.local.checkHealth', node);
    assert.equal(container.local.health.get(`${node.project.dir}#dev`)?.status, 'healthy');
    await vscode.commands.executeCommand('helixDeploy.local.stop', node);
    assert.equal((await container.local.engine.inspect('helix-local-demo-dev'))?.state, 'exited');
    assert.equal(container.local.journal.list({ project: 'local-demo' })[0].kind, 'stop');
  });

  it('a missing engine is a state with a way out, not an exception', async () => {
    const cfg = vscode.workspace.getConfiguration('helixDeploy.docker');
    await cfg.update(
      'host',
      `unix://${path.join(node.project.dir, 'no-such-docker.sock')}`,
      vscode.ConfigurationTarget.Workspace,
    );
    try {
      await poll(() => container.local.engine.endpoint.includes('no-such-docker'), {
        what: 'the engine to follow the setting',
        timeoutMs: 15_000,
      });
      container.local.watch.setActive(true);
      await container.local.watch.refresh();
      await poll(() => container.local.watch.state === 'down', {
        what: 'the watch to report the engine down',
        timeoutMs: 15_000,
      });
      assert.equal(container.local.watch.error.code, 'no-engine');
      // A start now shows an error notification with "Start Docker" / "Use Podman" and records nothing running.
      const shown = vscode.commands.executeCommand('helixDeploy.local.start', node);
      await Promise.race([shown, new Promise((r) => setTimeout(r, 2000))]);
      assert.equal(container.local.journal.list({ active: true }).length, 0);
    } finally {
      await cfg.update('host', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await poll(() => !container.local.engine.endpoint.includes('no-such-docker'), {
      what: 'the engine back on DOCKER_HOST',
      timeoutMs: 15_000,
    });
  });
});
