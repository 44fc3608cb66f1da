// Fixture projects for the push and local-status extension-host tests live in test/fixtures/push, not in
// the static workspace (test/fixtures/workspace): added there, they would push the UI tests' rows out of
// the visible part of the trees. Each test copies the ones it needs into the open workspace instead.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

/** Copies test/fixtures/push/<name> into the workspace folder (once) and returns its path there. */
export function addFixtureProject(name: string): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!root || !ext) throw new Error('no workspace folder or extension to copy the fixture project from');
  const dest = path.join(root, name);
  if (!fs.existsSync(dest))
    fs.cpSync(path.join(ext.extensionPath, 'test', 'fixtures', 'push', name), dest, { recursive: true });
  return dest;
}
