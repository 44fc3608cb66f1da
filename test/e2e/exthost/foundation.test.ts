import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api } from './helpers';
import { poll } from '../../support/poll';

describe('foundation (extension host)', () => {
  it('activates and finds HelixDB projects, ignoring unrelated helix.toml files', async () => {
    const { container } = await api();
    await container.projects.refresh();
    const names: string[] = container.projects.projects.map((p: any) => p.name);
    assert.ok(names.includes('starter-demo'), `projects: ${names.join(', ')}`);
    assert.ok(
      !container.projects.projects.some((p: any) => p.dir.endsWith('not-helix')),
      'a Helix editor config was taken for a project',
    );
  });

  it('registers its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['helixDeploy.createStarter', 'helixDeploy.refresh', 'helixDeploy.showLog'])
      assert.ok(all.includes(id), id);
  });

  it('creates a starter helix.toml through a WorkspaceEdit and picks it up as a project', async () => {
    const { container } = await api();
    const root = vscode.workspace.workspaceFolders![0].uri;
    const dir = vscode.Uri.joinPath(root, 'fresh-app');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.commands.executeCommand('helixDeploy.createStarter', dir);
    const text = fs.readFileSync(path.join(dir.fsPath, 'helix.toml'), 'utf8');
    assert.match(text, /^\[project\]\nname = "fresh-app"/);
    assert.match(text, /\[local\.dev\]/);
    await poll(() => container.projects.projects.find((p: any) => p.name === 'fresh-app'), {
      what: 'the new project in the index',
      timeoutMs: 15_000,
    });
  });

  it('never overwrites an existing helix.toml', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri;
    const file = path.join(root.fsPath, 'starter-demo', 'helix.toml');
    const before = fs.readFileSync(file, 'utf8');
    const shown = vscode.commands.executeCommand('helixDeploy.createStarter', vscode.Uri.file(path.dirname(file)));
    // The warning waits for a click; the file must be untouched either way.
    await Promise.race([shown, new Promise((r) => setTimeout(r, 1000))]);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });
});
