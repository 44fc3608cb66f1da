import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../container';
import { starterHelixToml } from '../core/config/starter';
import { resolveGeneration, type GenerationSetting } from '../core/config/generation';

/** Commands on the project noun: create a starter helix.toml, refresh, show the log. */
export function registerProjectCommands(c: Container): void {
  c.registerCommand('helixDeploy.createStarter', (folder?: vscode.Uri) => createStarter(c, folder));
  c.registerCommand('helixDeploy.refresh', () => c.projects.refresh());
  c.registerCommand('helixDeploy.showLog', () => c.log.show(true));
}

async function createStarter(c: Container, folder?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const target = folder ?? (await pickFolder());
  if (!target) return undefined;
  const file = vscode.Uri.joinPath(target, 'helix.toml');
  if (await exists(file)) {
    const open = 'Open It';
    if (
      (await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(file)} already exists; nothing was changed.`,
        open,
      )) === open
    ) {
      await vscode.window.showTextDocument(file);
    }
    return undefined;
  }
  // A WorkspaceEdit (not fs.writeFile) so the creation shows up in undo history and dirty state.
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(file, { ignoreIfExists: true });
  const setting = vscode.workspace
    .getConfiguration('helixDeploy', target)
    .get<GenerationSetting>('cliGeneration', 'auto');
  const gen = resolveGeneration(setting, undefined, c.projects.installedCli);
  edit.insert(
    file,
    new vscode.Position(0, 0),
    starterHelixToml(path.basename(target.fsPath), gen.generation, gen.release),
  );
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Could not create ${file.fsPath}.`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(file);
  await doc.save();
  await vscode.window.showTextDocument(doc);
  c.log.info(`Created ${file.fsPath}`);
  await c.projects.refresh();
  return file;
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Open a folder first: a helix.toml lives in a project folder.');
    return undefined;
  }
  if (folders.length === 1) return folders[0].uri;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the new helix.toml' });
  return picked?.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
