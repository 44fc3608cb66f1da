import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api } from './helpers';
import { addFixtureProject } from './projects';
import { poll } from '../../support/poll';

// Two parts of the local loop that only show in the workbench: the status bar item naming the runs in
// progress, and "Show Failing Step" after a failed build (test/fixtures/push/step-failure, whose
// Dockerfile copies a file that does not exist on line 3).

describe('local loop: status bar and failing step (extension host)', function () {
  this.timeout(120_000);
  let container: any;
  const envNode = (project: any) => ({
    type: 'environment',
    project,
    environment: project.environments.find((e: any) => e.name === 'dev'),
  });
  // Copies test/fixtures/push/<name> into the workspace; a refresh already under way may predate the copy.
  const projectNamed = (name: string) => {
    addFixtureProject(name);
    return poll(
      async () => {
        await container.projects.refresh();
        return container.projects.projects.find((p: any) => p.name === name);
      },
      { what: `the ${name} project`, timeoutMs: 60_000 },
    );
  };

  before(async () => {
    if (!process.env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set in the extension host');
    ({ container } = await api());
    await container.local.ready();
  });

  it('while a build runs, the status bar item names it; it goes when the build ends', async () => {
    const project = await projectNamed('push-demo');
    fs.copyFileSync('/bin/busybox', path.join(project.dir, 'busybox'));
    // Each text the item shows, with the runs active at that moment.
    const seen: { text: string | undefined; active: string[] }[] = [];
    const sub = container.local.onDidChangeStatusText((text: string | undefined) =>
      seen.push({
        text,
        active: container.local.journal
          .list({ active: true })
          .map((r: any) => `${r.kind} ${r.project}/${r.environment}`),
      }),
    );
    try {
      assert.equal(await vscode.commands.executeCommand('helixDeploy.local.build', envNode(project)), true);
    } finally {
      sub.dispose();
    }
    const during = seen.find((s) => s.text?.includes('build push-demo/dev'));
    assert.ok(during, `the item named the build: ${JSON.stringify(seen)}`);
    // Runs of other suites may still be working beside it ("+N").
    assert.match(during.text!, /^\$\(sync~spin\) Helix: build push-demo\/dev( \+\d+)?$/);
    assert.ok(during.active.includes('build push-demo/dev'), 'shown while the build run was active');
    assert.ok(
      !container.local.statusText?.includes('build push-demo/dev'),
      'the build is gone from the item once it ended',
    );
  });

  it('a failed build: Show Failing Step opens the Dockerfile with the failing line selected', async () => {
    const project = await projectNamed('step-failure');
    const node = envNode(project);
    // The build command waits on its error notification ("Show Failing Step" / "Show Output").
    const building = Promise.resolve(vscode.commands.executeCommand('helixDeploy.local.build', node));
    const journal = container.local.journal;
    const run = await poll(
      () => journal.list({ project: 'step-failure', kind: 'build' }).find((r: any) => r.state === 'Failed'),
      { what: 'the failed build run', timeoutMs: 60_000 },
    );
    assert.match(String(run.meta?.failedStep), /^Step 3\/4 : COPY no-such-file\.txt/);
    assert.equal(await vscode.commands.executeCommand('helixDeploy.local.showFailingStep', node), true);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.uri.fsPath, path.join(project.dir, 'Dockerfile'));
    assert.equal(editor.selection.start.line, 2);
    assert.equal(editor.document.getText(editor.selection), 'COPY no-such-file.txt /no-such-file.txt');
    // From the run in the Deployments history too.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(await vscode.commands.executeCommand('helixDeploy.local.showFailingStep', { type: 'run', run }), true);
    assert.equal(vscode.window.activeTextEditor?.selection.start.line, 2);
    // Dismissing the notification ends the build command, which reports the failure.
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal(await building, false);
  });
});
