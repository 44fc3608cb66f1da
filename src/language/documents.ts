import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigKind } from '../core/config/types';

// Which documents are ours: helix.toml and helix.deploy.toml, whatever language id another extension gave them
// (plain text, or Even Better TOML's `toml`).

export const CONFIG_SELECTOR: vscode.DocumentSelector = [
  { pattern: '**/helix.toml' },
  { pattern: '**/helix.deploy.toml' },
];

export function configKind(doc: vscode.TextDocument | vscode.Uri): ConfigKind | undefined {
  const uri = doc instanceof vscode.Uri ? doc : doc.uri;
  const name = path.posix.basename(uri.path);
  return name === 'helix.toml' ? 'helix' : name === 'helix.deploy.toml' ? 'deploy' : undefined;
}

/** The path used in messages: relative to its workspace folder, as the CLI prints it relative to the cwd. */
export function displayPath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}

export function siblingUri(uri: vscode.Uri, name: 'helix.toml' | 'helix.deploy.toml'): vscode.Uri {
  return vscode.Uri.joinPath(uri, '..', name);
}

/** Text of a sibling file: the open (maybe unsaved) document if any, else the file on disk. */
export async function readSibling(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}
