import * as vscode from 'vscode';
import type { Container } from '../../container';
import type { Environment, Project } from '../../core/model/types';
import { isPushTarget } from '../../core/push/target';

export interface Target {
  project: Project;
  environment: Environment;
}

/** The environment a command acts on: the tree node it was invoked on, else a pick among matching ones. */
export async function pickTarget(c: Container, node: unknown, accept: (e: Environment) => boolean, what: string): Promise<Target | undefined> {
  const n = node as { project?: Project; environment?: Environment } | undefined;
  if (n?.project && n.environment && accept(n.environment)) return { project: n.project, environment: n.environment };
  const items = c.projects.projects.flatMap((project) =>
    project.environments.filter(accept).map((environment) => ({ label: environment.name, description: `${project.name} · ${environment.target ?? environment.kind}`, project, environment })),
  );
  if (!items.length) {
    void vscode.window.showInformationMessage(`No ${what} environment found. Add one to helix.toml or helix.deploy.toml.`);
    return undefined;
  }
  if (items.length === 1) return items[0];
  const picked = await vscode.window.showQuickPick(items, { title: `Choose the ${what} environment`, ignoreFocusOut: true });
  return picked && { project: picked.project, environment: picked.environment };
}

export const pushable = (e: Environment) => isPushTarget(e);
export const helixCloud = (e: Environment) => e.kind === 'helix-cloud' || e.kind === 'enterprise';
export const fly = (e: Environment) => e.kind === 'fly';
