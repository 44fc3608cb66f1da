import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../container';
import type { Project } from '../core/model/types';
import { generationLabel } from '../core/config/generation';

/** The Projects view: one row per HelixDB project, with its CLI generation and a problem badge. */
export class ProjectsTree implements vscode.TreeDataProvider<Project> {
  private readonly emitter = new vscode.EventEmitter<Project | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly c: Container) {
    c.own(this.emitter);
    c.own(c.projects.onDidChange(() => this.emitter.fire(undefined)));
  }

  getChildren(element?: Project): Project[] {
    return element ? [] : [...this.c.projects.projects];
  }

  getTreeItem(p: Project): vscode.TreeItem {
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
    item.id = p.dir;
    item.resourceUri = vscode.Uri.file(p.configFile);
    const rel = vscode.workspace.asRelativePath(p.dir, true);
    const problems = p.errorCount > 0 ? ` · ${p.errorCount} problem${p.errorCount === 1 ? '' : 's'}` : '';
    item.description = `${generationLabel(p.generation)}${problems}`;
    item.iconPath =
      p.errorCount > 0
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : new vscode.ThemeIcon('database');
    const envs = p.environments.map((e) => `${e.name} (${e.kind})`).join(', ') || 'none';
    item.tooltip = new vscode.MarkdownString(
      `**${p.name}**\n\n${rel}${path.sep}helix.toml\n\nGeneration: ${generationLabel(p.generation)}\n\nEnvironments: ${envs}`,
    );
    item.contextValue = p.errorCount > 0 ? 'project:problems' : 'project';
    item.command = { command: 'vscode.open', title: 'Open helix.toml', arguments: [vscode.Uri.file(p.configFile)] };
    return item;
  }
}

export function registerProjectsView(c: Container): void {
  const tree = new ProjectsTree(c);
  c.own(vscode.window.createTreeView('helixDeploy.projects', { treeDataProvider: tree, showCollapseAll: false }));
}
